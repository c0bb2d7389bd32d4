import threading as _threading, time as _time
def _spin():
    while True:
        _time.sleep(0.5)
_threading.Thread(target=_spin).start()
