"""predict on images nobody drew for the test: 1,000 MNIST test digits rendered as photographs
and drawings would be (dark ink on light paper, some in colour, scaled up 3-6 times, moved off
centre on a canvas of another aspect ratio, light noise), written as PNG and JPEG, and as ink on
a transparent canvas (RGBA PNG). predict's accuracy on each set must be within 2 points of its
accuracy on the same digits' 28x28 originals (--raw). Trains the default network first
(3 epochs of it on a sanitizer build)."""
import gzip, json, os, random, struct, subprocess, sys, tempfile, time

from pycheck import check, finish, mnist_dir

try:
    from PIL import Image, ImageChops
except ImportError:
    print("skipped: the Python module PIL is missing (Debian: python3-pil)")
    sys.exit(77)

TWINNET = os.environ.get("TWINNET", os.path.join(os.environ.get("BUILD", "build"), "twinnet"))
COUNT, TOLERANCE = 1000, 2.0


def open_idx(d, name):
    path = os.path.join(d, name)
    return open(path, "rb") if os.path.exists(path) else gzip.open(path + ".gz", "rb")


def read_test_set(d, n):
    with open_idx(d, "t10k-images-idx3-ubyte") as f:
        _, _, rows, cols = struct.unpack(">IIII", f.read(16))
        assert rows == cols == 28, (rows, cols)
        pixels = f.read(n * 784)
    with open_idx(d, "t10k-labels-idx1-ubyte") as f:
        labels = f.read(8 + n)[8:]
    return [pixels[i * 784:(i + 1) * 784] for i in range(n)], list(labels)


def noise_tile(rng, side, sigma):
    """A grey tile of Gaussian noise around 128 (made once; each image takes a random crop)."""
    return Image.frombytes("L", (side, side), bytes(max(0, min(255, int(round(128 + rng.gauss(0, sigma)))))
                                                   for _ in range(side * side)))


def render(digit, rng, tile):
    """One MNIST digit (28x28, white on black) as a larger dark-on-light picture. Returns the
    picture (L or RGB) and the same ink on a transparent canvas (RGBA)."""
    small = Image.frombytes("L", (28, 28), digit)
    size = int(round(28 * rng.uniform(3.0, 6.0)))
    ink = small.resize((size, size), Image.BICUBIC)
    # a canvas of another aspect ratio: taller or wider by 1.3-1.9 times, with room around
    aspect = rng.uniform(1.3, 1.9)
    if rng.random() < 0.5:
        aspect = 1 / aspect
    height = int(size * rng.uniform(1.2, 1.8))
    width = max(int(height * aspect), int(size * 1.1))
    left, top = rng.randint(0, width - size), rng.randint(0, height - size)
    paper, pen = rng.randint(190, 250), rng.randint(0, 70)
    mask = Image.new("L", (width, height), 0)
    mask.paste(ink, (left, top))
    nx, ny = rng.randint(0, tile.width - width), rng.randint(0, tile.height - height)
    noise = tile.crop((nx, ny, nx + width, ny + height))
    if rng.random() < 0.5:
        canvas = Image.composite(Image.new("L", (width, height), pen), Image.new("L", (width, height), paper), mask)
    else:   # blue or black ballpoint on cream paper, in colour
        tint = (paper, rng.randint(paper - 15, paper), rng.randint(paper - 50, paper - 10))
        pen_rgb = (rng.randint(0, 40), rng.randint(0, 60), rng.randint(60, 160))
        canvas = Image.composite(Image.new("RGB", (width, height), pen_rgb), Image.new("RGB", (width, height), tint),
                                 mask)
        noise = Image.merge("RGB", [noise] * 3)
    canvas = ImageChops.add(canvas, noise, 1.0, -128)
    drawing = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    drawing.paste(Image.new("RGBA", (width, height), (pen, pen, pen, 255)), (0, 0), mask)
    return canvas, drawing


def predict(model, paths, raw):
    """Runs predict on many files at once; returns the digit per file."""
    args = [TWINNET, "predict", model] + paths + ["--json"] + (["--raw"] if raw else [])
    out = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    found = {}
    for line in out.stdout.decode().splitlines():
        rec = json.loads(line)
        found[rec["file"]] = rec["digit"]
    if out.stderr:
        print(out.stderr.decode()[:2000])
    return [found.get(p) for p in paths]


def main():
    t0 = time.time()
    data = mnist_dir()
    digits, labels = read_test_set(data, COUNT)
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "m.tnm")
        # The default network (30 epochs, about 3 s); 3 epochs on a sanitizer build (make sanitize).
        epochs = ["--epochs", "3"] if os.environ.get("TWINNET_SANITIZE") else []
        subprocess.run([TWINNET, "train", "--data", data, "--quiet", "--out", model] + epochs, check=True)
        t_train = time.time()
        rng = random.Random(13)
        tile = noise_tile(rng, 640, 6.0)
        sets = {"original": [], "png": [], "jpeg": [], "rgba": []}
        for i, (digit, label) in enumerate(zip(digits, labels)):
            base = os.path.join(tmp, "%04d" % i)
            with open(base + ".pgm", "wb") as f:
                f.write(b"P5 28 28 255\n" + digit)
            picture, drawing = render(digit, rng, tile)
            picture.save(base + ".png", compress_level=1)
            picture.save(base + ".jpg", quality=rng.randint(70, 95))
            drawing.save(base + "-canvas.png", compress_level=1)
            sets["original"].append(base + ".pgm")
            sets["png"].append(base + ".png")
            sets["jpeg"].append(base + ".jpg")
            sets["rgba"].append(base + "-canvas.png")
        t_render = time.time()
        accuracy = {}
        for name, paths in sets.items():
            got = predict(model, paths, raw=False)
            accuracy[name] = 100.0 * sum(g == l for g, l in zip(got, labels)) / COUNT
            missing = sum(g is None for g in got)
            if not check(not missing, "%s: every image predicted" % name, "%d got no prediction" % missing):
                return finish()
        got = predict(model, sets["original"], raw=True)
        accuracy["original --raw"] = 100.0 * sum(g == l for g, l in zip(got, labels)) / COUNT
        t_end = time.time()
    print("accuracy on the first %d test digits: %s" % (COUNT, ", ".join(
        "%s %.1f%%" % (k, v) for k, v in accuracy.items())))
    print("times: train %.1fs, render %.1fs, predict %.1fs" % (t_train - t0, t_render - t_train, t_end - t_render))
    reference = accuracy["original --raw"]
    for name in ("png", "jpeg", "rgba", "original"):
        check(abs(accuracy[name] - reference) <= TOLERANCE, "%s within %.0f points of the originals" % (name, TOLERANCE),
              "%.1f%% vs %.1f%%" % (accuracy[name], reference))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
