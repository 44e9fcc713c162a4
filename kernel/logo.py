"""The kernel's logo: a white ∇ (nabla, klongtorch's gradient) on a rounded square in
PyTorch's orange, with a small "kg" under it. The shapes are drawn, not typeset, so the
logo looks the same without any particular font.

    python -m klongtorch.kernel.logo [DIR]      writes logo-svg.svg, logo-32x32.png and
                                                logo-64x64.png (default: resources/)

The files are committed; this module only says how they were made. It needs Pillow.
"""
import io
import os
import sys

ORANGE = "#EE4C2C"
WHITE = "#FFFFFF"
SIZE = 64                      # the design's grid: every coordinate below is on it
RADIUS = 12
# the nabla: an outer triangle pointing down and the inner one cut out of it
OUTER = [(12, 12), (52, 12), (32, 48)]
INNER = [(21.5, 18), (42.5, 18), (32, 37)]
# "kg" as strokes: a k (stem and two arms) and a g (bowl and tail), under the nabla
STROKES = [
    [(26, 50), (26, 58)], [(30, 53), (26, 55.5), (30, 58)],
]
BOWL = (33, 53, 38, 58)        # the g's bowl: left, top, right, bottom
TAIL = [(38, 54), (38, 60), (34, 61)]
STROKE = 1.6

RESOURCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "resources")


def _points(pts):
    return " ".join(f"{x:g},{y:g}" for x, y in pts)


def svg():
    """The logo as SVG text."""
    strokes = "".join(
        f'<polyline points="{_points(s)}" fill="none" stroke="{WHITE}" '
        f'stroke-width="{STROKE}" stroke-linecap="round" stroke-linejoin="round"/>'
        for s in STROKES + [TAIL])
    l, t, r, b = BOWL
    bowl = (f'<ellipse cx="{(l + r) / 2:g}" cy="{(t + b) / 2:g}" rx="{(r - l) / 2:g}" '
            f'ry="{(b - t) / 2:g}" fill="none" stroke="{WHITE}" stroke-width="{STROKE}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
            f'viewBox="0 0 {SIZE} {SIZE}">'
            f'<rect width="{SIZE}" height="{SIZE}" rx="{RADIUS}" fill="{ORANGE}"/>'
            f'<path d="M{_points(OUTER)}Z M{_points(INNER)}Z" fill="{WHITE}" '
            f'fill-rule="evenodd"/>{strokes}{bowl}</svg>\n')


def png(size, supersample=8):
    """The logo as PNG bytes, size x size pixels (drawn large, then scaled down)."""
    from PIL import Image, ImageDraw        # optional: Pillow, only to draw the logo
    big = size * supersample
    s = big / SIZE

    def scaled(pts):
        return [(x * s, y * s) for x, y in pts]
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=RADIUS * s, fill=ORANGE)
    draw.polygon(scaled(OUTER), fill=WHITE)
    draw.polygon(scaled(INNER), fill=ORANGE)
    if size >= 48:                 # at 32 pixels the letters would be a smudge
        width = max(1, round(STROKE * s))
        for stroke in STROKES + [TAIL]:
            draw.line(scaled(stroke), fill=WHITE, width=width, joint="curve")
        draw.ellipse([c * s for c in BOWL], outline=WHITE, width=width)
    image = image.resize((size, size), Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def write(directory=RESOURCES):
    """Write the three logo files that a kernelspec may hold."""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "logo-svg.svg"), "w", encoding="utf-8") as f:
        f.write(svg())
    for size in (32, 64):
        with open(os.path.join(directory, f"logo-{size}x{size}.png"), "wb") as f:
            f.write(png(size))


if __name__ == "__main__":
    write(*sys.argv[1:2])
