"""`manage.py classify IN OUT [--workspace ID]`: triage a CSV or JSONL file of texts, offline.

Input: a CSV with a `text` column, or JSONL (`.jsonl`, `.json`, `.ndjson`) with a `text` key per
line. Output: the same rows plus `language`, `sentiment`, `sentiment_score`, `label`,
`label_score` and `profanity`; CSV when OUT ends in `.csv`, else JSONL. With `--workspace`, the
workspace's own retrained model gives the class (the built-in model when it has none yet).

    .venv/bin/python manage.py classify messages.csv labelled.csv --workspace 3
"""

from __future__ import annotations

import csv
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from parvis.core.models import Workspace
from parvis.inbox import triage_training
from parvis.nlp.cli import classify_file

INPUT_SUFFIXES = {".csv", ".jsonl", ".json", ".ndjson"}
OUTPUT_SUFFIXES = INPUT_SUFFIXES


class Command(BaseCommand):
    help = "Classify a CSV (column 'text') or JSONL ({'text': ...}) file; writes the labels and their scores."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path_in", metavar="IN", help="CSV with a 'text' column, or JSONL with a 'text' key.")
        parser.add_argument("path_out", metavar="OUT", help="Output file: CSV if it ends in .csv, else JSONL.")
        parser.add_argument("--workspace", type=int, default=None, help="Use this workspace's retrained model.")

    def handle(self, *args: Any, path_in: str, path_out: str, workspace: int | None = None, **options: Any) -> None:
        source, target = Path(path_in), Path(path_out)
        if not source.is_file():
            raise CommandError(f"{source}: no such file")
        if source.suffix.lower() not in INPUT_SUFFIXES:
            raise CommandError(f"{source}: unsupported format (use .csv, .jsonl, .json or .ndjson)")
        if target.suffix.lower() not in OUTPUT_SUFFIXES:
            raise CommandError(f"{target}: unsupported format (use .csv or .jsonl)")
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent}: no such directory")
        if target.resolve() == source.resolve():
            raise CommandError("the output would overwrite the input")
        model = triage_training.seed_class_model()
        described = "the built-in model"
        if workspace is not None:
            if not Workspace.objects.filter(pk=workspace).exists():
                raise CommandError(f"no workspace with id {workspace}")
            model, version = triage_training.class_model_for(workspace)
            if version is None:
                self.stderr.write(f"Workspace {workspace} has no trained model yet: using the built-in model.")
            else:
                described = f"workspace {workspace}'s model v{version}"
        started = time.monotonic()
        try:
            count = classify_file(source, target, model=model)
        except (ValueError, KeyError, csv.Error) as error:  # bad JSON and bad encodings are ValueErrors
            raise CommandError(f"{source}: cannot read it: {error}") from error
        elapsed = time.monotonic() - started
        self.stdout.write(f"Classified {count} rows with {described} into {target} in {elapsed:.1f} s.")
