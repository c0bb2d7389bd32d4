def _forever(self):
    while True:
        pass
Linear.forward = _forever
