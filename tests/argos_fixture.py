"""Build a tiny but real Argos Translate package (vi → en) for the tests, in about a second.

The package has what a real one has: ``metadata.json``, a SentencePiece model, a CTranslate2
Transformer model and a MiniSBD sentence splitter (``minisbd/vi.onnx``), so both our layer and
``argostranslate.translate`` run their real code paths on it with no network.

The "translation" is a deterministic gloss. The Transformer's weights are set by hand, not trained:
decoder step *t* attends to source position *t* (positions are balanced ±1 bit patterns, so the
dot product peaks where they match), copies that source piece, and maps it through :data:`GLOSS`;
pieces not in the gloss are copied as they are. The source gets ``</s>`` appended, which maps to
``</s>``, so every beam stops at the source's length. The MiniSBD model splits after ``.``, ``!``
or ``?`` followed by a space.

Run it as a script to write ``translate-vi_en-fixture.argosmodel`` into a folder::

    python tests/argos_fixture.py OUT_DIR
"""

from __future__ import annotations

import io
import json
import shutil
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

import numpy as np

PACKAGE_VERSION = "0.1"
FOLDER = "translate-vi_en-fixture"

# One Vietnamese syllable → one English word. Every pair is a single SentencePiece piece.
GLOSS = {
    "ngày": "day",
    "tỉnh": "province",
    "và": "and",
    "của": "of",
    "năm": "year",
    "tháng": "month",
    "đoàn": "delegation",
    "công": "work",
    "tác": "duty",
    "làm": "do",
    "việc": "job",
    "với": "with",
    "khó": "hard",
    "khăn": "scarf",
    "trong": "in",
    "là": "is",
    "có": "has",
    "đã": "did",
    "cho": "for",
    "một": "one",
    "tôi": "I",
    "đọc": "read",
    "bài": "article",
    "báo": "newspaper",
    "nước": "water",
    "ta": "we",
    "hôm": "yesterday",
    "nay": "now",
    "trời": "sky",
    "đẹp": "beautiful",
    "tấn": "tonnes",
    "hàng": "goods",
    "xuất": "out",
    "khẩu": "port",
    "Ngày": "Day",
    "Tôi": "I",
    "Hôm": "Yesterday",
    "Đoàn": "Delegation",
}

_VOWELS = "aăâeêioôơuưy"
_TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
_PUNCTUATION = ".,;:!?%()[]*_`'\"/-–—…#&+=<>@"


def vietnamese_alphabet() -> str:
    """Every letter a Vietnamese text can hold, both cases, NFC."""
    letters = {unicodedata.normalize("NFC", vowel + tone) for vowel in _VOWELS for tone in _TONES}
    letters |= set("bcdđghklmnpqrstvxfjwz")
    return "".join(sorted(letters | {letter.upper() for letter in letters}))


def _training_text() -> list[str]:
    alphabet = vietnamese_alphabet()
    lines = [" ".join(alphabet + "0123456789" + _PUNCTUATION)] * 3
    for _ in range(40):
        lines.append(" ".join(GLOSS))
        lines.append(" ".join(GLOSS.values()))
    return lines


def train_sentencepiece() -> bytes:
    """A small SentencePiece model in which each gloss word is one piece."""
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_training_text()),
        model_writer=model,
        vocab_size=600,
        character_coverage=1.0,
        model_type="bpe",
        num_threads=1,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    return model.getvalue()


BITS = 10  # positions up to 1,024
GAIN = 40.0


def _position_codes(count: int) -> np.ndarray:
    """Rows of balanced ±1 codes: bit b of the position as (+1, -1) or (-1, +1)."""
    codes = np.zeros((count, 2 * BITS), dtype=np.float32)
    for position in range(count):
        for bit in range(BITS):
            sign = 1.0 if position >> bit & 1 else -1.0
            codes[position, 2 * bit] = sign
            codes[position, 2 * bit + 1] = -sign
    return codes


def build_model(vocabulary: list[str], output_dir: Path) -> None:
    """Write the CTranslate2 gloss model for ``vocabulary`` into ``output_dir``."""
    from ctranslate2.converters import Converter
    from ctranslate2.specs import transformer_spec

    size = len(vocabulary)
    width = size + 2 * BITS  # [piece one-hot | position code]
    positions = 1 << BITS
    index = {piece: number for number, piece in enumerate(vocabulary)}
    gloss = np.arange(size)
    for vi, en in GLOSS.items():
        gloss[index["▁" + vi]] = index["▁" + en]

    def zeros(*shape: int) -> np.ndarray:
        return np.zeros(shape, dtype=np.float32)

    def layer_norm(spec) -> None:
        spec.gamma = np.ones(width, dtype=np.float32)
        spec.beta = zeros(width)

    def silence(attention) -> None:
        """A self-attention that adds nothing: fused QKV and output projections all zero."""
        layer_norm(attention.layer_norm)
        fused, output = attention.linear
        fused.weight, fused.bias = zeros(3 * width, width), zeros(3 * width)
        output.weight, output.bias = zeros(width, width), zeros(width)

    def silence_ffn(ffn) -> None:
        layer_norm(ffn.layer_norm)
        ffn.linear_0.weight, ffn.linear_0.bias = zeros(4, width), zeros(4)
        ffn.linear_1.weight, ffn.linear_1.bias = zeros(width, 4), zeros(width)

    code = np.zeros((positions, width), dtype=np.float32)
    code[:, size:] = _position_codes(positions)

    class GlossConverter(Converter):
        def _load(self):
            spec = transformer_spec.TransformerSpec.from_config(1, 1)
            encoder, decoder = spec.encoder, spec.decoder
            encoder.scale_embeddings = decoder.scale_embeddings = False
            encoder.embeddings[0].weight = np.eye(size, width, dtype=np.float32) * 4.0
            encoder.position_encodings.encodings = code
            silence(encoder.layer[0].self_attention)
            silence_ffn(encoder.layer[0].ffn)
            layer_norm(encoder.layer_norm)

            decoder.embeddings.weight = zeros(size, width)
            decoder.position_encodings.encodings = code
            layer = decoder.layer[0]
            silence(layer.self_attention)
            silence_ffn(layer.ffn)
            cross = layer.attention
            layer_norm(cross.layer_norm)
            query, key_value, output = cross.linear
            query.weight, query.bias = zeros(width, width), zeros(width)
            query.weight[size:, size:] = np.eye(2 * BITS) * GAIN
            key_value.weight, key_value.bias = zeros(2 * width, width), zeros(2 * width)
            key_value.weight[size:width, size:] = np.eye(2 * BITS)  # keys: the position code
            key_value.weight[width : width + size, :size] = np.eye(size)  # values: the piece
            output.weight, output.bias = np.eye(width, dtype=np.float32), zeros(width)
            output.weight[size:, size:] = 0.0
            layer_norm(decoder.layer_norm)
            projection = zeros(size, width)
            projection[gloss, np.arange(size)] = GAIN
            decoder.projection.weight, decoder.projection.bias = projection, zeros(size)

            spec.config.add_source_eos = True
            spec.register_source_vocabulary(vocabulary)
            spec.register_target_vocabulary(vocabulary)
            return spec

    GlossConverter().convert(str(output_dir), force=True)


def build_minisbd(alphabet: str, path: Path) -> None:
    """A MiniSBD ONNX model: end a sentence at ``.``, ``!`` or ``?`` when a space or the end follows."""
    import onnx
    from onnx import TensorProto, helper

    units = [
        "<PAD>",
        "<UNK>",
        " ",
        ".",
        "!",
        "?",
        *sorted(set(alphabet) | set("0123456789" + _PUNCTUATION) - set(".!? ")),
    ]
    count = len(units)
    # Logits for the classes 0 (inside a token), 1 (token end), 2 (sentence end).
    this = np.zeros((count, 3), dtype=np.float32)
    this[:, 0] = 1.0
    following = np.zeros((count, 3), dtype=np.float32)
    for stop in (".", "!", "?"):
        this[units.index(stop)] = [0.0, 0.0, 1.0]
    # A stop followed by anything but a space or padding stays inside the sentence.
    for number, unit in enumerate(units):
        if unit not in ("<PAD>", " "):
            following[number] = [0.0, 0.0, -2.0]
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["this_table", "units"], ["this"], axis=0),
            helper.make_node("Slice", ["units", "one", "big", "axis1"], ["next_units"]),
            helper.make_node("Pad", ["next_units", "pad_end", "zero"], ["padded"]),
            helper.make_node("Gather", ["following_table", "padded"], ["next"], axis=0),
            helper.make_node("Add", ["this", "next"], ["logits"]),
            helper.make_node("Identity", ["features"], ["unused"]),
        ],
        "minisbd_fixture",
        [
            helper.make_tensor_value_info("units", TensorProto.INT64, ["batch", "length"]),
            helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", "length", None]),
        ],
        [
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "length", 3]),
            helper.make_tensor_value_info("unused", TensorProto.FLOAT, ["batch", "length", None]),
        ],
        initializer=[
            helper.make_tensor("this_table", TensorProto.FLOAT, this.shape, this.flatten()),
            helper.make_tensor("following_table", TensorProto.FLOAT, following.shape, following.flatten()),
            helper.make_tensor("one", TensorProto.INT64, [1], [1]),
            helper.make_tensor("big", TensorProto.INT64, [1], [1 << 30]),
            helper.make_tensor("axis1", TensorProto.INT64, [1], [1]),
            helper.make_tensor("pad_end", TensorProto.INT64, [4], [0, 0, 0, 1]),
            helper.make_tensor("zero", TensorProto.INT64, [], [0]),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    vocab = {"lang": "vi", "idx": 0, "cutoff": 0, "lower": False, "_unit2id": {u: i for i, u in enumerate(units)}}
    vocab["_id2unit"] = units
    config = {"feat_funcs": ["space_before", "capitalized", "numeric", "end_of_para", "start_of_para"]}
    config["max_seqlen"] = 1000
    for key, value in {"lang_code": "vi", "config": json.dumps(config), "vocab": json.dumps(vocab)}.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())


def build_package(out_dir: Path) -> Path:
    """Write ``translate-vi_en-fixture.argosmodel`` into ``out_dir`` and return its path."""
    import sentencepiece as spm

    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / FOLDER
        root.mkdir()
        model_bytes = train_sentencepiece()
        (root / "sentencepiece.model").write_bytes(model_bytes)
        processor = spm.SentencePieceProcessor(model_proto=model_bytes)
        vocabulary = [processor.id_to_piece(number) for number in range(processor.get_piece_size())]
        missing = [word for pair in GLOSS.items() for word in pair if "▁" + word not in vocabulary]
        if missing:
            raise RuntimeError(f"gloss words that are not one piece: {missing}")
        build_model(vocabulary, root / "model")
        (root / "minisbd").mkdir()
        build_minisbd(vietnamese_alphabet(), root / "minisbd" / "vi.onnx")
        metadata = {
            "package_version": PACKAGE_VERSION,
            "argos_version": "1.9",
            "from_code": "vi",
            "from_name": "Vietnamese",
            "to_code": "en",
            "to_name": "English",
            "type": "translate",
            "links": [],
        }
        (root / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
        (root / "README.md").write_text("A tiny gloss model for tests. Not a translator.\n", encoding="utf-8")
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{FOLDER}.argosmodel"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(root.rglob("*")):
                info = zipfile.ZipInfo(str(file.relative_to(root.parent)), date_time=(2021, 6, 25, 0, 0, 0))
                if file.is_dir():
                    continue
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, file.read_bytes())
        shutil.rmtree(root)
    return target


if __name__ == "__main__":
    print(build_package(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
