import csv
import json

import pytest

from parvis.nlp import classes
from parvis.nlp.cli import classify_file
from parvis.nlp.triage import Triage, triage_batch


def test_triage_batch(seed):
    results = triage_batch(
        [
            "Bonjour, quand ouvrez-vous samedi ?",
            "Merci beaucoup, c'était génial !",
            "What are your opening hours on Sunday?",
            "",
        ]
    )
    assert all(isinstance(r, Triage) for r in results)
    question, praise, english, empty = results
    assert (question.language, question.label, question.sentiment) == ("fr", "question", "neutral")
    assert question.signals.question_mark
    assert (praise.label, praise.sentiment) == ("praise", "positive")
    assert (english.language, english.label) == ("en", "question")
    assert empty.language == ""
    assert empty.sentiment == "neutral"
    assert 0.0 < question.label_score <= 1.0


def test_triage_with_a_workspace_model(seed):
    model = classes.ClassModel.fit(["horaires ?", "prix ?", "génial", "bravo"], ["ask", "ask", "cheer", "cheer"])
    (result,) = triage_batch(["Bravo à tous !"], model=model)
    assert result.label == "cheer"
    assert set(result.probabilities) == {"ask", "cheer"}
    assert triage_batch([]) == []
    with pytest.raises(TypeError):
        triage_batch("texte")  # type: ignore[arg-type]


def test_classify_csv(seed, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text('id,text\n1,"Quand commence le concert ?"\n2,"Bande de connards"\n', encoding="utf-8")
    target = tmp_path / "out.csv"
    assert classify_file(source, target) == 2
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["1", "2"]
    assert rows[0]["label"] == "question"
    assert rows[0]["language"] == "fr"
    assert rows[1]["profanity"] == "connards"
    assert rows[1]["sentiment"] == "negative"
    assert 0 < float(rows[0]["label_score"]) <= 1


def test_classify_jsonl_keeps_keys(seed, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"text": "Super soirée, merci !", "author": "@a"}, ensure_ascii=False)
        + "\n\n"
        + json.dumps({"text": "How much is a ticket?"})
        + "\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.jsonl"
    assert classify_file(str(source), str(target)) == 2
    first, second = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert first["author"] == "@a"
    assert (first["label"], first["sentiment"]) == ("praise", "positive")
    assert (second["language"], second["label"]) == ("en", "question")
    assert second["profanity"] == []


def test_classify_file_errors(tmp_path):
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("message\nbonjour\n", encoding="utf-8")
    with pytest.raises(ValueError, match="text"):
        classify_file(bad_csv, tmp_path / "out.csv")
    bad_jsonl = tmp_path / "bad.jsonl"
    bad_jsonl.write_text('{"message": "bonjour"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="text"):
        classify_file(bad_jsonl, tmp_path / "out.jsonl")
