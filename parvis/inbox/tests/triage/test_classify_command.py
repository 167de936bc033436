"""`manage.py classify IN OUT [--workspace ID]`: labels and scores for a file of texts."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from parvis.inbox.models import TrainingStatus, WorkspaceClassModel
from parvis.nlp import classes

TEXTS = ["Le salon ouvre à quelle heure ?", "Merci pour cette belle soirée, bravo !"]


def _csv(path, rows, fields=("id", "text")):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def test_a_csv_gets_labels_and_scores(tmp_path, db, capsys):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    _csv(source, [{"id": n, "text": text} for n, text in enumerate(TEXTS)])

    call_command("classify", str(source), str(target))

    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == ["0", "1"]
    assert [row["label"] for row in rows] == ["question", "praise"]
    assert all(0 < float(row["label_score"]) <= 1 for row in rows)
    assert {row["language"] for row in rows} == {"fr"}
    assert "Classified 2 rows with the built-in model" in capsys.readouterr().out


def test_a_jsonl_file_gets_labels_and_scores(tmp_path, db):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps({"text": text, "n": n}) + "\n" for n, text in enumerate(TEXTS)))

    call_command("classify", str(source), str(target))

    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [(row["n"], row["label"]) for row in rows] == [(0, "question"), (1, "praise")]
    assert all(set(row) >= {"sentiment", "sentiment_score", "label_score", "profanity"} for row in rows)


def test_the_workspace_model_is_used_with_workspace(tmp_path, workspace):
    intercept = np.array([10.0 if name == "other" else 0.0 for name in classes.LABELS])
    model = classes.ClassModel(classes.LABELS, np.zeros((len(classes.LABELS), 384)), intercept)
    WorkspaceClassModel.objects.create(
        workspace=workspace, version=3, status=TrainingStatus.READY, blob=model.to_bytes(), requested_at=timezone.now()
    )
    source, target = tmp_path / "in.csv", tmp_path / "out.jsonl"
    _csv(source, [{"id": 1, "text": TEXTS[0]}])

    call_command("classify", str(source), str(target), workspace=workspace.pk)

    assert json.loads(target.read_text(encoding="utf-8"))["label"] == "other"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "no such file"),
        ("texts.txt", "hello", "unsupported format"),
        ("no_text.csv", "id,body\n1,hello\n", "no 'text' column"),
        ("broken.jsonl", '{"text": "ok"}\n{not json\n', "cannot read it"),
        ("not_objects.jsonl", '["a list"]\n', "string 'text'"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, db, name, content, message):
    source = tmp_path / name
    if content is not None:
        source.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        call_command("classify", str(source), str(tmp_path / "out.csv"))
    assert not (tmp_path / "out.csv").exists()


def test_an_unknown_workspace_is_a_clear_error(tmp_path, db):
    source = tmp_path / "in.csv"
    _csv(source, [{"id": 1, "text": "x"}])

    with pytest.raises(CommandError, match="no workspace with id 999"):
        call_command("classify", str(source), str(tmp_path / "out.csv"), workspace=999)
