"""Plain-loop references shared by the detection tests."""


def iou_loop(a, b):
    """Reference IoU of two xyxy boxes, one pixel-edge comparison at a time."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union
