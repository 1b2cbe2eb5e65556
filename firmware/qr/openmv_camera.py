"""OpenMV camera back end: ``image.find_qrcodes()`` (and ``find_datamatrices()``).

Only runs on OpenMV firmware, where the ``sensor`` and ``image`` modules
exist; they are imported inside the constructor, so importing this module
anywhere else is harmless. The camera is the board itself there (the
scanner spec is ``("openmv", None)``).

Each turn of ``run`` takes one frame (``sensor.snapshot()``, bounded by
the sensor's frame time) and hands every payload found to the sink; the
capture de-duplicates a code that stays in view. A dense presentation QR
(version 20+) needs VGA or more and a steady hand: see protocol/QR.md.
"""
from qr import ENGINE_ERROR


class OpenMvCamera:
    def __init__(self, sensor_module=None, framesize=None, datamatrix=True, settle_ms=500):
        if sensor_module is None:
            import sensor as sensor_module  # OpenMV only
        self._sensor = sensor_module
        self.datamatrix = datamatrix
        self.state = "starting"
        s = sensor_module
        s.reset()
        s.set_pixformat(s.GRAYSCALE)
        s.set_framesize(framesize if framesize is not None else s.VGA)
        s.skip_frames(time=settle_ms)  # bounded: lets exposure settle once
        s.set_auto_gain(False)  # QR decoding wants stable frames
        s.set_auto_whitebal(False)

    def run(self, sink):
        while True:
            if not sink.active:
                yield
                continue
            try:
                img = self._sensor.snapshot()
                found = list(img.find_qrcodes())
                if self.datamatrix and hasattr(img, "find_datamatrices"):
                    found.extend(img.find_datamatrices())
            except (OSError, RuntimeError) as err:
                if self.state != "failed":
                    sink.error(ENGINE_ERROR, "openmv: " + type(err).__name__, "openmv")
                self.state = "failed"
                yield
                continue
            self.state = "ready"
            for code in found:
                sink.deliver(code.payload())
            yield bool(found)
