"""Checks for t_report.sh.
usage: report_check.py html PAGE SECTION...   the page's structure; prints "IMAGES n SVG m"
       report_check.py consistent PAGE        one convention: the answer card's numbers are the
                                              evidence's, one alignment, one colour each, relative
                                              distances, axes that end where the data end
       report_check.py probe PAGE OUT         a copy of PAGE with a test-only script that, once loaded,
                                              puts "IMAGES n BROKEN b SVG m EMPTY e" in the title
       report_check.py png SHOT               a browser screenshot that is not blank
Exit 0 when it holds, else 1 with the reason on stdout."""
import base64
import html.parser
import re
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


SOURCE_COLOURS = {"#0072b2", "#e69f00", "#009e73", "#d55e00", "#666666"}
RAW, ALIGNED = "#222222", "#cc79a7"
CHROME = {"#fff", "#999", "#e4e4e4", "#555", "none"}   # plot areas, grids, axes


def section(text, ident):
    at = text.find('id="%s"' % ident)
    if at < 0:
        fail("no element with id %s" % ident)
    return text[at:text.find("</section>", at) if "</section>" in text[at:] else len(text)]


def number_after(text, pattern, what):
    m = re.search(pattern, text)
    if not m:
        fail("%s: not found (/%s/)" % (what, pattern))
    return float(m.group(1))


def check_consistent(path):
    text = open(path, encoding="utf-8").read()
    card = section(text, "answer")
    if "weight matching" in card:
        fail("the answer card names another alignment than the one")
    # figure 1 against the full table of arrangements
    raw = number_after(card, r"A - B ([0-9.]+) as they are", "figure 1's raw distance")
    aligned = number_after(card, r"as they are, ([0-9.]+) aligned", "figure 1's aligned distance")
    rows = dict(re.findall(r'<tr><td class="l">([^<]+?)(?: <b>\(aligned: the report&#39;s\)</b>| <b>\(aligned: the report\'s\)</b>)?</td><td>([0-9.]+)</td>',
                           section(text, "findings")))
    mark = re.search(r'<tr><td class="l">([^<]+?) <b>\(aligned: the report.s\)</b></td><td>([0-9.]+)</td>', text)
    if not mark or not mark.group(1).startswith("activation matching"):
        fail("the report's alignment is not activation matching: %s" % (mark.group(1) if mark else "no row marked"))
    if abs(float(mark.group(2)) - aligned) > 0.0015 or abs(float(rows.get("as they are (raw)", -1)) - raw) > 0.0015:
        fail("figure 1 (%.3f raw, %.3f aligned) against the table (%s, %s)" % (raw, aligned, rows.get("as they are (raw)"), mark.group(2)))
    # figure 2 against the straight path's plot
    b0 = number_after(card, r"Test error barrier: ([0-9.]+) points as they are", "figure 2's raw barrier")
    b1 = number_after(card, r"points as they are, ([0-9.]+) aligned", "figure 2's aligned barrier")
    path_desc = section(text, "path")
    p0 = number_after(path_desc, r"the error up to ([0-9.]+) points", "the path's raw barrier")
    p1 = number_after(path_desc, r"aligned: up to [0-9.]+ and ([0-9.]+) points", "the path's aligned barrier")
    if abs(b0 - p0) > 0.006 or abs(b1 - p1) > 0.006:
        fail("figure 2 (%.2f, %.2f) against the path (%.2f, %.2f)" % (b0, b1, p0, p1))
    # colours: one meaning each
    for svg in re.findall(r"<svg.*?</svg>", text, re.S):
        for colour in re.findall(r'(?:stroke|fill)="(#[0-9a-fA-F]{3,6}|none)"', svg):
            if colour.lower() not in SOURCE_COLOURS | CHROME | {RAW, ALIGNED}:
                fail("a colour with no meaning in the convention: %s" % colour)
        for line, label in re.findall(r'(<line [^>]*/>)<text [^>]*>([^<]*)</text>', svg):
            if label.startswith("raw") and (RAW not in line or "dasharray" not in line):
                fail("raw is not drawn #222222 dashed: %s" % line)
            if label.startswith("aligned") and (ALIGNED not in line or "dasharray" in line):
                fail("aligned is not drawn #cc79a7 solid: %s" % line)
        # axes end where the data end: the data reach the plot area's right and top edges
        area = re.search(r'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" fill="#fff" stroke="#999"/>', svg)
        points = [tuple(map(float, p.split(","))) for pl in re.findall(r'points="([^"]*)"', svg) for p in pl.split()]
        if area and points:
            x, y, w = (int(area.group(k)) for k in (1, 2, 3))
            if abs(max(p[0] for p in points) - (x + w)) > 1.01 or abs(min(p[1] for p in points) - y) > 1.01:
                fail("a plot's axes run past its data: %s" % re.search(r"<title>([^<]*)", svg).group(1))
    traces = text[text.find('id="traces"'):]
    if "<svg" in traces.split("</section>")[0] and "\u2016A \u2212 B\u2016 / \u2016A\u2016" not in traces.split("</section>")[0]:
        fail("the traces are not relative to A's norm")
    print("figure 1 %.3f/%.3f and figure 2 %.2f/%.2f as the evidence; colours and axes as the convention" % (raw, aligned, b0, b1))


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
    elif mode == "consistent":
        check_consistent(sys.argv[2])
    elif mode == "probe":
        probe(sys.argv[2], sys.argv[3])
    elif mode == "png":
        check_png(sys.argv[2])
    else:
        fail("unknown mode " + mode)
