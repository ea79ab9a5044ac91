"""The course map on the landing page, made at build time from the chapters themselves.

Writes ``_static/generated/course_map.svg`` (the parts and chapters as a figure, each written
chapter with its CPU run time, the others marked "to come") and
``_static/generated/course_map.md`` (the same as a list of links), which ``intro.md``
includes. Run times are read from each chapter's "**Run time.**" line, so the landing page
never disagrees with the chapters.
"""

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402

# The syllabus (shared/SYLLABUS.md): part, chapter number, title, file stem once written.
PARTS = {
    "Part I. Foundations": [
        (1, "The perceptron", "01_perceptron"),
        (2, "Multilayer perceptrons", "02_multilayer_perceptrons"),
        (3, "Backpropagation", "03_backpropagation"),
        (4, "Activations and losses", "04_activations_and_losses"),
        (5, "Training deep networks", "05_training_deep_networks"),
    ],
    "Part II. Convolutional networks": [
        (6, "Convolution and pooling", "06_convolution_and_pooling"),
        (7, "LeNet-5", "07_lenet5"),
        (8, "ImageNet and AlexNet", "08_imagenet_and_alexnet"),
        (9, "Deeper CNNs: GoogLeNet and ResNet", "09_deeper_cnns"),
        (10, "Convolution beyond images", "10_convolution_beyond_images"),
    ],
    "Part III. Language and sequences": [
        (11, "Word embeddings", "11_word_embeddings"),
        (12, "Recurrent neural networks", "12_recurrent_neural_networks"),
        (13, "Working with sequences", "13_working_with_sequences"),
        (14, "LSTM and GRU", "14_lstm_and_gru"),
        (15, "Sequence to sequence", "15_sequence_to_sequence"),
        (16, "Image captioning", "16_image_captioning"),
    ],
}
RUN_TIME = re.compile(r"\*\*Run time\.\*\*\s*About ([^.]*?) on a")


def chapter_status(root: Path, toc_files: set[str]) -> dict[str, str | None]:
    """For each written chapter in the table of contents, its run time ("15 seconds")."""
    status = {}
    for chapters in PARTS.values():
        for _, _, stem in chapters:
            path = root / "chapters" / f"{stem}.ipynb"
            if f"chapters/{stem}" in toc_files and path.exists():
                first = nbformat.read(path, as_version=4).cells[0].source
                match = RUN_TIME.search(first)
                status[stem] = match.group(1) if match else "?"
    return status


def draw(status: dict[str, str], path: Path) -> None:
    plt.rcParams["svg.hashsalt"] = "course-map"  # the same SVG for the same chapters
    colors = ["#1b6ca8", "#b5541c", "#3a7d44"]
    fig, axes = plt.subplots(1, 3, figsize=(11, 5.4), dpi=100)
    for ax, (part, chapters), color in zip(axes, PARTS.items(), colors, strict=True):
        ax.set_xlim(0, 1)
        ax.set_ylim(-len(chapters) - 0.4, 0.6)
        ax.axis("off")
        ax.set_title(part.replace(". ", ".\n", 1), fontsize=13, color=color, fontweight="bold")
        for row, (number, title, stem) in enumerate(chapters):
            written = stem in status
            y = -row - 0.5
            box = dict(
                boxstyle="round,pad=0.4",
                facecolor=color if written else "white",
                edgecolor=color,
                linestyle="-" if written else "--",
                alpha=0.9 if written else 0.6,
            )
            ax.text(
                0.5, y, f"{number}. {title}", ha="center", va="center", fontsize=11,
                color="white" if written else color, bbox=box,
            )  # fmt: skip
            note = f"{status[stem]} on a CPU" if written else "to come"
            ax.text(0.5, y - 0.42, note, ha="center", va="center", fontsize=9, color="#444444")
            if row:
                ax.annotate(
                    "", xy=(0.5, y + 0.22), xytext=(0.5, y + 0.58),
                    arrowprops=dict(arrowstyle="->", color=color, lw=1),
                )  # fmt: skip
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)


def listing(status: dict[str, str]) -> str:
    lines = []
    for part, chapters in PARTS.items():
        lines += [f"**{part}**", ""]
        for number, title, stem in chapters:
            if stem in status:
                lines.append(f"{number}. {{doc}}`/chapters/{stem}` (about {status[stem]})")
            else:
                lines.append(f"{number}. {title} *(to come)*")
        lines.append("")
    return "\n".join(lines)


def generate(app, config) -> None:
    root = Path(app.srcdir)
    toc = (root / "_toc.yml").read_text()
    toc_files = set(re.findall(r"file:\s*(\S+)", toc))
    status = chapter_status(root, toc_files)
    out = root / "_static" / "generated"
    out.mkdir(parents=True, exist_ok=True)
    figure = out / "course_map.svg"
    draw(status, out / "new.svg")
    _replace_if_changed(out / "new.svg", figure)
    (out / "new.md").write_text(listing(status))
    _replace_if_changed(out / "new.md", out / "course_map.md")


def _replace_if_changed(new: Path, target: Path) -> None:
    """Unchanged files keep their timestamps, so Sphinx does not re-read the landing page."""
    if target.exists() and target.read_bytes() == new.read_bytes():
        new.unlink()
    else:
        new.replace(target)


def setup(app):
    app.connect("config-inited", generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
