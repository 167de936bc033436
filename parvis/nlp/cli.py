"""Classify a file of messages: CSV with a "text" column, or JSONL with a "text" key per line.

The output keeps every input column or key and adds ``language``,
``sentiment``, ``sentiment_score``, ``label``, ``label_score`` and
``profanity`` (words found, space-separated in CSV). The format follows the
output file's extension (``.csv``, else JSONL); the input's is sniffed from
its extension too (``.jsonl``/``.json``/``.ndjson`` read as JSONL).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from parvis.nlp.classes import ClassModel
from parvis.nlp.triage import triage_batch

ADDED = ("language", "sentiment", "sentiment_score", "label", "label_score", "profanity")
BATCH = 256
_JSONL_SUFFIXES = {".jsonl", ".json", ".ndjson"}


def _read(path: Path) -> list[dict[str, Any]]:
    if path.suffix.lower() in _JSONL_SUFFIXES:
        rows = []
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                row = json.loads(line)
                if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                    raise ValueError(f"{path}:{number}: each line must be an object with a string 'text'")
                rows.append(row)
        return rows
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if "text" not in (reader.fieldnames or []):
            raise ValueError(f"{path}: no 'text' column")
        return [dict(row) for row in reader]


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def classify_file(path_in: str | Path, path_out: str | Path, model: ClassModel | None = None) -> int:
    """Classify every row of ``path_in`` into ``path_out``; returns the number of rows written."""
    source, target = Path(path_in), Path(path_out)
    rows = _read(source)
    for chunk in _chunks(rows):
        results = triage_batch([str(row.get("text") or "") for row in chunk], model=model)
        for row, result in zip(chunk, results, strict=True):
            row.update(
                language=result.language,
                sentiment=result.sentiment,
                sentiment_score=round(result.sentiment_score, 4),
                label=result.label,
                label_score=round(result.label_score, 4),
                profanity=list(result.signals.profanity),
            )
    if target.suffix.lower() == ".csv":
        fields = list(dict.fromkeys([key for row in rows for key in row if key not in ADDED] + list(ADDED)))
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            for row in rows:
                writer.writerow({**row, "profanity": " ".join(row.get("profanity") or [])})
    else:
        with target.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)
