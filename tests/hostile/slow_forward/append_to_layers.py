import time as _time
_relu_forward = ReLU.forward
def _slow(self):
    _time.sleep(0.1)
    _relu_forward(self)
ReLU.forward = _slow
