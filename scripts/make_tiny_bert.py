"""Builds tiny seeded token-classification models and their Hugging Face reference predictions.

Run through scripts/make-tiny-bert (it sets up the venv). Everything is deterministic: the
tokenizers are trained on the fixed sentences below, the weights come from a fixed seed, and
the seed is chosen so that no prediction is a near tie (a float difference between libtorch
builds could otherwise flip an argmax and make the equality test flaky).

The sentences are written for this project in news style; none is copied from an article.
"""

import argparse
import json
import os
import shutil
import string
import sys
import tempfile

import numpy as np
import torch
import transformers
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
from transformers import (
    BertConfig,
    BertForTokenClassification,
    BertTokenizerFast,
    DistilBertConfig,
    DistilBertForTokenClassification,
    DistilBertTokenizerFast,
    RobertaConfig,
    RobertaForTokenClassification,
    RobertaTokenizerFast,
    pipeline,
)
from transformers.pipelines.token_classification import AggregationStrategy

assert transformers.__version__ == "4.46.3", transformers.__version__

SENTENCES = [
    "US President Donald Trump arrived in Tokyo on Monday for talks with Prime Minister Sanae Takaichi.",
    "Japan pledged over $550 billion in investments into the US economy, officials said.",
    "Chinese President Xi Jinping will meet Trump at the APEC Summit in South Korea on Thursday.",
    "The two leaders signed a framework agreement on critical minerals and rare earths in Tokyo.",
    "Emperor Naruhito received the American delegation at the Imperial Palace.",
    "Beijing expanded export controls on rare earth products last month, Reuters reported.",
    "Malaysia hosted the ASEAN Summit in Kuala Lumpur before the president flew to Japan.",
    "Thailand and Cambodia agreed to an expanded ceasefire brokered by Washington.",
    "The late former Prime Minister Shinzo Abe had a warm relationship with Trump.",
    "Toyota and Sony announced a joint investment of ¥500 billion in Osaka.",
    "Brazil’s President Luiz Inácio Lula da Silva visited São Paulo on Friday.",
    "The European Union and Canada discussed tariffs at a meeting in Brussels on 27 October 2025.",
    "Prime Minister Takaichi is reportedly exploring purchases of American soybeans and pickup trucks.",
    "German Chancellor Friedrich Merz said the alliance between Berlin and Paris remained strong.",
    "The International Monetary Fund warned that global growth could slow in 2026.",
    "Officials in Seoul said the summit would focus on semiconductors, shipbuilding and security.",
    "Apple pledged to invest $500 billion in the United States over the next four years.",
    "Indian Prime Minister Narendra Modi met Australian leaders in Canberra earlier this year.",
    "“It’s going to be very good,” Trump told reporters aboard Air Force One.",
    "The World Bank approved a $1.2 billion loan to Indonesia for clean energy projects.",
    # Longer than the tiny models' 64-token window: exercises split-with-overlap and merging.
    "Leaders from Japan, the United States, South Korea, Australia, India, Indonesia, Malaysia, "
    "Thailand, Cambodia, Canada, Brazil and the European Union met in Tokyo on Monday, where "
    "President Trump, Prime Minister Takaichi and Chancellor Merz discussed critical minerals, "
    "rare earths, tariffs, semiconductors and a $550 billion investment framework with officials "
    "from Toyota, Sony, Apple and the World Bank before flying to Seoul and Kuala Lumpur.",
    "In Brussels, Paris and Berlin, officials said on Thursday that the ceasefire between Thailand "
    "and Cambodia, brokered by Washington and backed by the ASEAN Summit in Kuala Lumpur, would "
    "hold through 2026, while Beijing and Tokyo traded new export controls on rare earth products "
    "and Reuters reported that Emperor Naruhito would receive President Xi Jinping at the Imperial Palace.",
]

CONLL_LABELS = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
ONTONOTES_LABELS = [
    "O", "B-PERSON", "I-PERSON", "B-GPE", "I-GPE", "B-ORG", "I-ORG", "B-NORP", "I-NORP",
    "B-MONEY", "I-MONEY", "B-DATE", "I-DATE", "B-FAC", "I-FAC",
]

WINDOW = 64  # tokenizer.model_max_length of the tiny models, special tokens included
STRIDE = 16  # overlap (tokens) for sentences longer than the window
STRATEGIES = ["simple", "first", "average", "max"]
MIN_MARGIN = 1e-4  # smallest allowed gap between the best and second-best label probability

# Characters the vocabularies know besides those of the sentences; "¥" is deliberately left out
# so that one word maps to the unknown token.
EXTRA_ALPHABET = sorted(set(string.ascii_letters + string.digits + string.punctuation + "’‘“”•…–—éáãíóúçñüöä"))
HELD_OUT = "¥"


def train_wordpiece(texts, vocab_size, lowercase):
    """A deterministic WordPiece vocabulary (the tokenizers trainer breaks ties differently
    from run to run): every character alone and as a `##` continuation, words seen twice or
    short as whole words, and other words as two pieces, so that pieces fuse into words in the
    tests. `vocab_size` pads with `[unusedN]`."""
    norm = normalizers.BertNormalizer(lowercase=lowercase, strip_accents=True if lowercase else None)
    pre = pre_tokenizers.BertPreTokenizer()
    counts = {}
    for t in texts:
        for w, _ in pre.pre_tokenize_str(norm.normalize_str(t)):
            if not any(c in HELD_OUT for c in w):
                counts[w] = counts.get(w, 0) + 1
    chars = set("".join(counts)) | {norm.normalize_str(c) for c in EXTRA_ALPHABET}
    chars = sorted(c for c in chars if len(c) == 1 and c not in HELD_OUT)
    pieces = set()
    for w, n in counts.items():
        if n >= 2 or len(w) <= 4:
            pieces.add(w)
        else:
            half = len(w) // 2
            pieces.add(w[:half])
            pieces.add("##" + w[half:])
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab += chars + ["##" + c for c in chars]
    vocab += sorted(pieces - set(vocab))
    vocab += [f"[unused{i}]" for i in range(max(0, vocab_size - len(vocab)))]
    return vocab


def write_wordpiece(dirname, vocab, lowercase, cls):
    path = os.path.join(dirname, "vocab.txt")
    with open(path, "w", encoding="utf-8") as f:
        for t in vocab:
            f.write(t + "\n")
    tokenizer = cls(vocab_file=path, do_lower_case=lowercase, model_max_length=WINDOW)
    tokenizer.save_pretrained(dirname)
    return tokenizer


def train_bpe(texts, vocab_size, dirname):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    tmp = tempfile.mkdtemp()
    tok.model.save(tmp)
    tokenizer = RobertaTokenizerFast(
        vocab_file=os.path.join(tmp, "vocab.json"),
        merges_file=os.path.join(tmp, "merges.txt"),
        model_max_length=WINDOW,
    )
    tokenizer.save_pretrained(dirname)
    shutil.rmtree(tmp)
    return tokenizer


def shape_classifier(model, seed, n_labels):
    """Random tiny models predict near-uniform noise; scale the classifier so that the
    probabilities are spread out and several labels win, and favour O a little so entities
    are spans rather than every token."""
    g = torch.Generator().manual_seed(seed + 1000)
    with torch.no_grad():
        w = model.classifier.weight
        w.copy_(torch.randn(w.shape, generator=g) * 1.2)
        b = model.classifier.bias
        b.copy_(torch.randn(b.shape, generator=g) * 0.5)
        b[0] += 1.5


def margins_ok(pipe, sentences):
    """True when no token, averaged word, or grouped score is a near tie."""
    for s in sentences:
        for chunk in chunk_outputs(pipe, s):
            scores = chunk["scores"]
            top2 = np.sort(scores, axis=-1)[:, -2:]
            if np.min(top2[:, 1] - top2[:, 0]) < MIN_MARGIN:
                return False
            pre = pipe.gather_pre_entities(
                chunk["sentence"], chunk["input_ids"], scores, chunk["offsets"], chunk["special"],
                AggregationStrategy.AVERAGE,
            )
            groups = []
            for e in pre:
                if groups and e["is_subword"]:
                    groups[-1].append(e["scores"])
                else:
                    groups.append([e["scores"]])
            for grp in groups:
                avg = np.sort(np.nanmean(np.stack(grp), axis=0))
                if avg[-1] - avg[-2] < MIN_MARGIN:
                    return False
    return True


def chunk_outputs(pipe, sentence):
    """The pipeline's own preprocess/forward, kept per chunk (with stride, as `pipe(..., stride=)`)."""
    out = []
    params = {"tokenizer_params": {"return_overflowing_tokens": True, "padding": True, "stride": STRIDE}}
    for model_inputs in pipe.preprocess(sentence, **params):
        with torch.no_grad():
            o = pipe._forward(model_inputs)
        logits = o["logits"][0].numpy()
        maxes = np.max(logits, axis=-1, keepdims=True)
        e = np.exp(logits - maxes)
        out.append({
            "sentence": sentence,
            "input_ids": o["input_ids"][0],
            "offsets": o["offset_mapping"][0],
            "special": o["special_tokens_mask"][0].numpy(),
            "scores": e / e.sum(axis=-1, keepdims=True),
        })
    return out


def reference(pipe, sentences):
    rows = []
    for s in sentences:
        chunks = chunk_outputs(pipe, s)
        row = {"text": s, "window": WINDOW, "stride": STRIDE, "chunks": len(chunks), "strategies": {}}
        for name in STRATEGIES:
            strat = AggregationStrategy(name)
            entry = {}
            if len(chunks) == 1:
                c = chunks[0]
                pre = pipe.gather_pre_entities(s, c["input_ids"], c["scores"], c["offsets"], c["special"], strat)
                if strat == AggregationStrategy.SIMPLE:
                    words = pipe.aggregate(pre, AggregationStrategy.NONE)
                else:
                    words = pipe.aggregate_words(pre, strat)
                entry["words"] = [
                    {"start": int(w["start"]), "end": int(w["end"]), "label": w["entity"], "score": float(w["score"])}
                    for w in words
                ]
            ents = pipe(s, aggregation_strategy=name, stride=STRIDE)
            entry["entities"] = [
                {"start": int(e["start"]), "end": int(e["end"]), "label": e["entity_group"], "score": float(e["score"])}
                for e in ents
            ]
            row["strategies"][name] = entry
        rows.append(row)
    return rows


def label_counts(rows):
    counts = {}
    for r in rows:
        for w in r["strategies"]["first"].get("words", []):
            counts[w["label"]] = counts.get(w["label"], 0) + 1
    return counts


def build(kind, out, seed_start=0):
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        os.remove(os.path.join(out, f))
    labels = ONTONOTES_LABELS if kind == "roberta" else CONLL_LABELS
    id2label = {i: l for i, l in enumerate(labels)}
    label2id = {l: i for i, l in enumerate(labels)}
    if kind == "bert":
        vocab = train_wordpiece(SENTENCES, 700, lowercase=False)
        tokenizer = write_wordpiece(out, vocab, False, BertTokenizerFast)
        mk = lambda: BertForTokenClassification(BertConfig(
            vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
            intermediate_size=64, max_position_embeddings=WINDOW, id2label=id2label, label2id=label2id))
    elif kind == "distilbert":
        vocab = train_wordpiece([s.lower() for s in SENTENCES], 650, lowercase=True)
        tokenizer = write_wordpiece(out, vocab, True, DistilBertTokenizerFast)
        # No tokenizer.json: proves the backend builds the tokenizer from vocab.txt like HF does.
        os.remove(os.path.join(out, "tokenizer.json"))
        mk = lambda: DistilBertForTokenClassification(DistilBertConfig(
            vocab_size=len(vocab), dim=32, n_layers=2, n_heads=2, hidden_dim=64,
            max_position_embeddings=WINDOW, id2label=id2label, label2id=label2id))
    elif kind == "roberta":
        tokenizer = train_bpe(SENTENCES, 800, out)
        mk = lambda: RobertaForTokenClassification(RobertaConfig(
            vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
            intermediate_size=64, max_position_embeddings=WINDOW + 2, type_vocab_size=1,
            pad_token_id=1, bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5,
            id2label=id2label, label2id=label2id))
    else:
        raise ValueError(kind)

    for seed in range(seed_start, seed_start + 200):
        torch.manual_seed(seed)
        model = mk().eval()
        shape_classifier(model, seed, len(labels))
        pipe = pipeline("token-classification", model=model, tokenizer=tokenizer, device=-1)
        if not margins_ok(pipe, SENTENCES):
            continue
        rows = reference(pipe, SENTENCES)
        counts = label_counts(rows)
        if len(counts) < min(len(labels), 7) or counts.get("O", 0) < 0.3 * sum(counts.values()):
            continue
        break
    else:
        sys.exit(f"no seed gave clear margins for {kind}")

    model.save_pretrained(out, safe_serialization=True)
    # Reload from disk exactly as a user would, and take the reference from that.
    pipe = pipeline("token-classification", model=out, tokenizer=out, device=-1)
    assert pipe.tokenizer.is_fast
    rows = reference(pipe, SENTENCES)
    with open(os.path.join(out, "reference.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(os.path.join(out, "README.md"), "w", encoding="utf-8") as f:
        f.write(
            f"# tiny-{kind}-ner\n\n"
            f"A {kind} token-classification model with random weights (torch seed {seed}), hidden size 32,\n"
            f"2 layers, built by `scripts/make-tiny-bert` with transformers {transformers.__version__} and\n"
            f"torch {torch.__version__}. It predicts noise with confident scores: it exists only so that\n"
            "tests can prove gazette's `bert` backend equal to the Hugging Face pipeline\n"
            "(`reference.jsonl`: per-word labels and scores and entity spans, character offsets,\n"
            "for strategies simple/first/average/max, window 64 tokens, stride 16).\n\n"
            "Generated by this project; licence MIT OR Apache-2.0 like the code.\n"
        )
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print(f"{out}: seed {seed}, {size} bytes, labels {label_counts(rows)}", file=sys.stderr)


def build_base(out, root):
    """BERT-base-sized (110M parameters) random model for the benchmark; never committed."""
    os.makedirs(out, exist_ok=True)
    texts = list(SENTENCES)
    seed_article = os.path.join(root, "..", "shared", "seeds", "tokyo-minerals-pact.txt")
    if os.path.exists(seed_article):
        with open(seed_article, encoding="utf-8") as f:
            texts += f.read().splitlines()
    vocab = train_wordpiece(texts, 28996, lowercase=False)
    vocab += [f"[unused{i}]" for i in range(28996 - len(vocab))]
    tokenizer = write_wordpiece(out, vocab, False, BertTokenizerFast)
    tokenizer.model_max_length = 512
    tokenizer.save_pretrained(out)
    id2label = {i: l for i, l in enumerate(CONLL_LABELS)}
    torch.manual_seed(0)
    model = BertForTokenClassification(BertConfig(
        vocab_size=len(vocab), id2label=id2label, label2id={l: i for i, l in id2label.items()}))
    model.save_pretrained(out, safe_serialization=True)
    print(f"{out}: BERT-base random, {sum(p.numel() for p in model.parameters())} parameters", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--base", action="store_true", help="also build the BERT-base-sized benchmark model")
    ap.add_argument("--only", choices=["bert", "distilbert", "roberta"], help="build one fixture")
    ap.add_argument("--only-base", action="store_true", help="build the benchmark model only")
    args = ap.parse_args()
    torch.set_num_threads(1)
    for kind in ["bert", "distilbert", "roberta"]:
        if args.only_base or (args.only and args.only != kind):
            continue
        build(kind, os.path.join(args.root, "fixtures", f"tiny-{kind}-ner"))
    if args.base or args.only_base:
        build_base(os.path.expanduser("~/.cache/gazette/bert-base-random"), args.root)


if __name__ == "__main__":
    main()
