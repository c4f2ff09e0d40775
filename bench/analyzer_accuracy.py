"""Accuracy of the embedded text analyzer on a labelled set of B2B NPS comments. Prints; asserts nothing.

    make bench-analyzer     (or: .venv/bin/python -m bench.analyzer_accuracy [--show-misses])

The set (bench/data/labelled_comments.jsonl) is survey comments with the sentiment and the themes a
CS analyst would give them. Sentiment accuracy is the share labelled exactly; for themes, the share of
comments whose theme set is exact, and micro-averaged precision and recall over (comment, theme) pairs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from shared.domain.sentiment import LexiconAnalyzer, Sentiment, TextAnalyzer
from shared.domain.themes import Theme

LABELLED = Path(__file__).parent / "data" / "labelled_comments.jsonl"


class Labelled(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    comment: str
    score: int
    sentiment: Sentiment
    themes: list[Theme]


class Accuracy(BaseModel):
    comments: int
    sentiment_correct: int
    themes_exact: int
    theme_true_positives: int
    theme_predicted: int
    theme_labelled: int
    misses: list[str]

    @property
    def sentiment_accuracy(self) -> float:
        return self.sentiment_correct / self.comments

    @property
    def themes_exact_accuracy(self) -> float:
        return self.themes_exact / self.comments

    @property
    def theme_precision(self) -> float:
        return self.theme_true_positives / self.theme_predicted if self.theme_predicted else 0.0

    @property
    def theme_recall(self) -> float:
        return self.theme_true_positives / self.theme_labelled if self.theme_labelled else 0.0


def load(path: Path = LABELLED) -> list[Labelled]:
    return [Labelled.model_validate_json(line) for line in path.read_text().splitlines() if line.strip()]


def measure(analyzer: TextAnalyzer, labelled: list[Labelled]) -> Accuracy:
    sentiment_correct = themes_exact = true_positives = predicted = wanted = 0
    misses = []
    for item in labelled:
        analysis = analyzer.analyze(item.comment, [])
        got, expected = set(analysis.themes), set(item.themes)
        sentiment_correct += analysis.sentiment is item.sentiment
        themes_exact += got == expected
        true_positives += len(got & expected)
        predicted += len(got)
        wanted += len(expected)
        if analysis.sentiment is not item.sentiment or got != expected:
            misses.append(
                f"{item.comment!r}: sentiment {analysis.sentiment} ({analysis.sentiment_score:+.2f}) "
                f"want {item.sentiment}; themes {sorted(got)} want {sorted(expected)}"
            )
    return Accuracy(
        comments=len(labelled),
        sentiment_correct=sentiment_correct,
        themes_exact=themes_exact,
        theme_true_positives=true_positives,
        theme_predicted=predicted,
        theme_labelled=wanted,
        misses=misses,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true", help="list every comment not labelled exactly")
    args = parser.parse_args(argv)
    accuracy = measure(LexiconAnalyzer(), load())
    a = accuracy
    print(f"embedded analyzer (VADER + B2B lexicon, keyword taxonomy) on {a.comments} labelled comments")
    print(f"  sentiment accuracy    {a.sentiment_accuracy:6.1%}  ({a.sentiment_correct}/{a.comments})")
    print(f"  themes exactly right  {a.themes_exact_accuracy:6.1%}  ({a.themes_exact}/{a.comments})")
    print(f"  theme precision       {a.theme_precision:6.1%}  ({a.theme_true_positives}/{a.theme_predicted})")
    print(f"  theme recall          {a.theme_recall:6.1%}  ({a.theme_true_positives}/{a.theme_labelled})")
    if args.show_misses:
        for miss in accuracy.misses:
            print(f"  miss: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
