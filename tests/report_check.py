"""Checks for t_report.sh.
usage: report_check.py html PAGE SECTION...   the page's structure; prints "IMAGES n SVG m"
       report_check.py probe PAGE OUT         a copy of PAGE with a test-only script that, once loaded,
                                              puts "IMAGES n BROKEN b SVG m EMPTY e" in the title
       report_check.py png SHOT               a browser screenshot that is not blank
Exit 0 when it holds, else 1 with the reason on stdout."""
import base64
import html.parser
import struct
import sys
import zlib


def fail(why):
    print(why)
    sys.exit(1)


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.imgs, self.svgs, self.ids, self.stack = [], [], set(), []
        self.svg_title = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "img":
            self.imgs.append(a)
        if tag == "svg":
            self.svgs.append({"attrs": a, "title": "", "texts": 0, "lines": 0})
        if self.svgs and tag == "text":
            self.svgs[-1]["texts"] += 1
        if self.svgs and tag in ("polyline", "circle"):
            self.svgs[-1]["lines"] += 1
        self.stack.append(tag)

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if self.svgs and self.stack and self.stack[-1] == "title" and "svg" in self.stack:
            self.svgs[-1]["title"] += data


def png_ok(data):
    """A PNG whose chunks all have good CRCs, with an IHDR and an IEND."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return False
    pos, kinds = 8, []
    while pos + 12 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
        if zlib.crc32(kind + body) != crc:
            return False
        kinds.append(kind)
        pos += 12 + n
    return kinds[:1] == [b"IHDR"] and kinds[-1:] == [b"IEND"] and pos == len(data)


def check_html(path, sections):
    raw = open(path, "rb").read()
    text = raw.decode("utf-8")  # must be valid UTF-8
    low = text.lower()
    for bad in ("http://", "https://", "<script", "<link", "<iframe", "url(", "@import", "javascript:"):
        if bad in low:
            fail("%s: holds %r: the page must need nothing else" % (path, bad))
    p = Page()
    p.feed(text)
    for i, img in enumerate(p.imgs):
        if not img.get("alt", "").strip():
            fail("%s: <img> %d has no alt text" % (path, i))
        src = img.get("src", "")
        if not src.startswith("data:image/png;base64,"):
            fail("%s: <img> %d is not a PNG data URI: %.60s" % (path, i, src))
        try:
            data = base64.b64decode(src[22:], validate=True)
        except ValueError:
            data = b""
        if not png_ok(data):
            fail("%s: <img> %d does not decode as a PNG" % (path, i))
    for i, svg in enumerate(p.svgs):
        a = svg["attrs"]
        if a.get("role") != "img" or not a.get("aria-label", "").strip() or not svg["title"].strip():
            fail("%s: <svg> %d lacks role=img, an aria-label or a <title>" % (path, i))
        if svg["texts"] < 4:
            fail("%s: <svg> %d (%s) has no axis labels and ticks" % (path, i, svg["title"]))
    missing = [s for s in sections if s not in p.ids]
    if missing:
        fail("%s: sections missing: %s" % (path, " ".join(missing)))
    print("IMAGES %d SVG %d" % (len(p.imgs), len(p.svgs)))


PROBE = """<script>window.addEventListener('load', function () {
var imgs = Array.prototype.slice.call(document.images), svgs = document.querySelectorAll('svg');
var broken = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 0); });
var empty = Array.prototype.filter.call(svgs, function (s) { return s.getBoundingClientRect().width === 0; });
document.title = 'IMAGES ' + imgs.length + ' BROKEN ' + broken.length + ' SVG ' + svgs.length + ' EMPTY ' + empty.length;
});</script>
"""


def probe(path, out):
    text = open(path, encoding="utf-8").read()
    open(out, "w", encoding="utf-8").write(text.replace("</body>", PROBE + "</body>", 1))


def check_png(path):
    data = open(path, "rb").read()
    if not png_ok(data) or len(data) < 20000:
        fail("%s: not a PNG, or too small to hold the page (%d bytes)" % (path, len(data)))
    try:
        from PIL import Image
    except ImportError:
        print("screenshot %d bytes (PIL absent: colours not checked)" % len(data))
        return
    im = Image.open(path).convert("RGB")
    colours = im.getcolors(1 << 24)
    inked = sum(n for n, c in colours if c != (255, 255, 255))
    if len(colours) < 50 or inked < 0.05 * im.width * im.height:
        fail("%s: nearly blank: %d colours, %d of %d pixels not white" % (path, len(colours), inked, im.width * im.height))
    print("screenshot %dx%d, %d bytes, %d colours, %.0f%% not white" % (im.width, im.height, len(data), len(colours),
                                                                       100.0 * inked / (im.width * im.height)))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "html":
        check_html(sys.argv[2], sys.argv[3:])
    elif mode == "probe":
        probe(sys.argv[2], sys.argv[3])
    elif mode == "png":
        check_png(sys.argv[2])
    else:
        fail("unknown mode " + mode)
