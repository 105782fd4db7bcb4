"""Translate strings with an installed Argos Translate package, driven directly, offline.

Strings in, strings out; nothing here knows of articles. The package's own tokenizer and
CTranslate2 model are used, but not ``argostranslate.translate``, whose import pulls in stanza and
torch (~2 s, ~750 MB) and whose sentence splitters go to the network. Here:

- sentences are split by the package's MiniSBD model when it ships one (what argostranslate uses
  too), otherwise by a punctuation rule: nothing is ever downloaded;
- every pending sentence goes through CTranslate2's ``translate_batch`` in large batches, with
  argostranslate's decoding settings (beam 4, length penalty 0.2, unknowns replaced), so the
  English is the same as ``argostranslate.translate.translate`` gives on the same package;
- a sentence is never cut at 256 tokens: the length limit grows with the sentence, and one that
  still reaches it is reported.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import MachineTranslationError

BATCH_TOKENS = 4096
BATCH_TEXTS = 16  # texts per call, so the progress bar moves
_SENTENCE_END = re.compile(r"(?<=[.!?…])(?P<close>[\"”’)\]]*)\s+(?=[\"“‘(\[]?[A-ZĐÀ-ỸÁ-Ỹ0-9])")
_ABBREVIATION = re.compile(r"(?:^|\s)[A-ZĐ][A-Za-zĐđ]{0,2}\.$")  # TP. TS. GS. ThS. Mr.


def argos_version() -> str:
    try:
        return importlib.metadata.version("argostranslate")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def how_to_remove(folder: Path) -> str:
    return f"remove it (rm -r '{folder}') and install the package again with `python build.py models install FILE`"


@dataclass
class Engine:
    """Translate strings with one Argos package: its tokenizer, sentence splitter and CTranslate2 model."""

    package: object
    truncated: list[str] = field(default_factory=list)
    _translator: object = None
    _splitter: Callable[[str], list[str]] | None = None

    @property
    def label(self) -> str:
        from argostranslate.package import argospm_package_name

        return f"argostranslate {argos_version()}, {argospm_package_name(self.package)} {self.package.package_version}"

    def translate(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> list[str]:
        """The English of each text, in order; ``progress(n)`` is called as each batch of n texts is done."""
        results: list[str] = []
        for start in range(0, len(texts), BATCH_TEXTS):
            group = texts[start : start + BATCH_TEXTS]
            try:
                results.extend(self._translate_group(group))
            except (RuntimeError, OSError, ValueError, IndexError, ImportError) as exc:
                # What SentencePiece, CTranslate2 and MiniSBD raise on a damaged model file.
                folder = Path(self.package.package_path)
                raise MachineTranslationError(
                    f"The translation package in {folder} does not work ({exc}); {how_to_remove(folder)}"
                ) from None
            if progress is not None:
                progress(len(group))
        return results

    def _translate_group(self, texts: Sequence[str]) -> list[str]:
        split = self._sentence_splitter()
        layout: list[list[list[int]]] = []  # text → paragraph → sentence numbers
        sentences: list[list[str]] = []
        for text in texts:
            paragraphs = []
            for paragraph in text.split("\n"):
                numbers = []
                for sentence in split(paragraph) if paragraph.strip() else []:
                    numbers.append(len(sentences))
                    sentences.append(self.package.tokenizer.encode(sentence))
                paragraphs.append(numbers)
            layout.append(paragraphs)
        outputs = self._decode(sentences)
        results = []
        for text, paragraphs in zip(texts, layout, strict=True):
            english = [self._detokenize([t for n in numbers for t in outputs[n]]) for numbers in paragraphs]
            results.append("\n".join(english).lstrip("\n"))
            if any(len(outputs[n]) >= self._limit(sentences[n]) for numbers in paragraphs for n in numbers):
                self.truncated.append(text)
        return results

    def _decode(self, sentences: list[list[str]]) -> list[list[str]]:
        if not sentences:
            return []
        from argostranslate import settings

        prefix = self.package.target_prefix
        results = self._model().translate_batch(
            sentences,
            target_prefix=[[prefix]] * len(sentences) if prefix else None,
            replace_unknowns=True,
            max_batch_size=BATCH_TOKENS,
            batch_type="tokens",
            beam_size=max(1, settings.beam_size),
            num_hypotheses=1,
            length_penalty=0.2,
            max_decoding_length=max(self._limit(tokens) for tokens in sentences),
        )
        return [result.hypotheses[0] for result in results]

    @staticmethod
    def _limit(tokens: list[str]) -> int:
        return max(256, 3 * len(tokens) + 16)

    def _detokenize(self, tokens: list[str]) -> str:
        value = self.package.tokenizer.decode(tokens)
        prefix = self.package.target_prefix
        if prefix and value.startswith(prefix):
            value = value[len(prefix) :]
        return value[1:] if value.startswith(" ") else value

    def _model(self):
        if self._translator is None:
            import ctranslate2
            from argostranslate import settings

            self._translator = ctranslate2.Translator(
                str(self.package.package_path / "model"),
                device=settings.device,
                inter_threads=settings.inter_threads,
                intra_threads=settings.intra_threads,
                compute_type=settings.compute_type,
            )
        return self._translator

    def _sentence_splitter(self) -> Callable[[str], list[str]]:
        if self._splitter is None:
            model = _minisbd_model(self.package.package_path)
            if model is not None:
                # onnxruntime (under MiniSBD) would otherwise write a device id and a telemetry
                # database into ~/.cache/Microsoft: an offline tool sends and keeps nothing of the kind.
                os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
                from minisbd import SBDetect

                self._splitter = SBDetect(str(model), use_gpu=False).sentences
            else:
                self._splitter = split_sentences
        return self._splitter


def split_sentences(paragraph: str) -> list[str]:
    """Sentences by punctuation: a stop, then a space and a capital, digit or opening quote."""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(paragraph):
        end = match.end("close")
        if _ABBREVIATION.search(paragraph[start:end]):
            continue
        sentences.append(paragraph[start:end].strip())
        start = match.end()
    sentences.append(paragraph[start:].strip())
    return [sentence for sentence in sentences if sentence]


def _minisbd_model(package_path: Path) -> Path | None:
    folder = Path(package_path) / "minisbd"
    models = sorted(folder.glob("*.onnx")) if folder.is_dir() else []
    return models[0] if models else None
