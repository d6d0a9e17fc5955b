"""Presentation: the offline HTML report, CSV/JSONL exports and terminal tables."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from markupsafe import escape
from rich.console import Console

from armstrace.analyse import analyse
from armstrace.kb.model import KnowledgeBase
from armstrace.present.export import TRANSFER_CSV_COLUMNS, write_jsonl, write_transfers_csv
from armstrace.present.report import render_report, write_report
from armstrace.present.tables import findings_table, transfers_table
from armstrace.records import Actor, Document, DocumentSpan, Finding, Item, RegisterRow, Transfer
from test_analyse import make_kb

SHA = "c0ffee" + "0" * 58
HOSTILE = "<script>alert(1)</script> Groza-S stations [bold red]x[/]"
BEFORE = "Letter no. 12 of the State Authority for Military Industry. " * 5
AFTER = " to be shipped via the port of Poti. " * 8
PAGE = BEFORE + "delivery of Groza-S counter-drone stations to the Ministry of Defence of Azerbaijan" + AFTER
QUOTE = "Groza-S counter-drone stations"
GENERATED = dt.datetime(2024, 6, 20, 9, 30, tzinfo=dt.UTC)

TRANSFER_KEYS = {
    "id", "supplier", "supplier_name", "recipient", "recipient_name", "item", "system", "category",
    "quantity", "status", "years", "confidence", "source", "evidence",
}  # fmt: skip
FINDING_KEYS = {
    "id", "rule", "severity", "supplier", "recipient", "third_party", "alliance", "conflict", "years",
    "transfers", "facts", "explanation",
}  # fmt: skip


def state(code: str, name: str) -> Actor:
    return Actor(id=code, name=name)


def make_world() -> tuple[KnowledgeBase, list[Transfer], dict[str, Document]]:
    kb = make_kb()
    hostile_page = "Attachment: " + HOSTILE + " end."
    document = Document(
        sha256=SHA, media_type="application/pdf", pages=[PAGE, hostile_page], paths=["cache/letter-12.pdf"]
    )
    start = PAGE.index(QUOTE)
    h_start = hostile_page.index(HOSTILE)
    groza = Transfer(
        supplier=state("BY", "Belarus"),
        recipient=state("AZ", "Azerbaijan"),
        item=Item(text="Groza-S counter-drone stations", system="groza-s", category="other"),
        status="delivered",
        years=(2018, 2022),
        confidence=0.8,
        evidence=[DocumentSpan(SHA, "cache/letter-12.pdf", 1, start, start + len(QUOTE), QUOTE)],
    )
    hostile = Transfer(
        supplier=state("BY", "Belarus"),
        recipient=state("AZ", "Azerbaijan"),
        item=Item(text='=HYPERLINK("x") equipment'),
        status="ordered",
        years=(2020, 2020),
        evidence=[DocumentSpan(SHA, "cache/letter-12.pdf", 2, h_start, h_start + len(HOSTILE), HOSTILE)],
    )
    register = Transfer(
        supplier=state("IL", "Israel"),
        recipient=state("AZ", "Azerbaijan"),
        item=Item(text="Harop loitering munitions", system="harop", category="missiles"),
        status="delivered",
        years=(2019, 2019),
        quantity=10,
        source="register",
        evidence=[RegisterRow(register="SIPRI Arms Transfers Database 2024", row="deal-4711")],
    )
    return kb, [groza, hostile, register], {SHA: document}


World = tuple[KnowledgeBase, list[Transfer], dict[str, Document], list[Finding]]


@pytest.fixture
def world() -> World:
    kb, transfers, documents = make_world()
    return kb, transfers, documents, analyse(transfers, kb, rules=["ally-arms-adversary/1"])


def render(world: World) -> str:
    kb, transfers, documents, findings = world
    return render_report(
        findings, transfers, documents, kb, title="Belarus & Azerbaijan", generated_at=GENERATED
    )


def test_report_contains_finding_explanation_facts_and_sources(world: World) -> None:
    html = render(world)
    findings = world[3]
    assert len(findings) == 1
    assert str(escape(findings[0].explanation)) in html
    assert "Belarus &amp; Azerbaijan" in html
    assert "2024-06-20 09:30+00:00" in html
    assert "ally-arms-adversary/1" in html and "Ally arms an ally&#39;s adversary" in html
    for fact in findings[0].facts:
        assert fact.fact in html
    assert "UCDP/PRIO Armed Conflict Dataset, Uppsala University, version 24.1" in html
    assert "Collective Security Treaty, 1992-05-15 [treaty]" in html
    assert "since 1994-04-20" in html and "2020-09-27 – 2020-11-10" in html


def test_report_highlights_quote_in_context_with_location(world: World) -> None:
    html = render(world)
    pattern = r'<blockquote class="evidence">(.*?)<mark>' + re.escape(QUOTE) + r"</mark>(.*?)</blockquote>"
    match = re.search(pattern, html, re.S)
    assert match is not None
    before, after = match.group(1), match.group(2)
    assert before.startswith("…") and "delivery of " in before
    assert 150 <= len(before) <= 210
    assert "to the Ministry of Defence of Azerbaijan" in after and after.endswith("…")
    start = PAGE.index(QUOTE)
    assert f"page 1, characters {start}–{start + len(QUOTE)}" in html
    assert f'<code title="{SHA}">{SHA[:12]}…</code>' in html
    assert "cache/letter-12.pdf" in html
    assert "SIPRI Arms Transfers Database 2024, row deal-4711" in html


def test_hostile_document_text_renders_inert(world: World) -> None:
    html = render(world)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert "<mark>&lt;script&gt;alert(1)&lt;/script&gt; Groza-S stations [bold red]x[/]</mark>" in html


def test_report_loads_nothing_from_the_network(world: World) -> None:
    html = render(world)
    lowered = html.lower()
    for needle in ("<link", "<script", "<img", "<iframe", "<object", "@import", "url("):
        assert needle not in lowered, needle
    assert not re.search(r"""(?:src|href|action|srcset)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|//)""", lowered)
    # the only addresses are source URLs, shown as text
    urls = re.findall(r"https?://[^\s<\"']*", html)
    assert urls == ["https://ucdp.uu.se/downloads/"] * len(urls) and urls
    assert '<span class="mono">https://ucdp.uu.se/downloads/</span>' in html


def test_report_says_when_document_text_is_missing_or_disagrees(world: World) -> None:
    kb, transfers, _, findings = world
    html = render_report(findings, transfers, None, kb, title="t", generated_at=GENERATED)
    assert f"<mark>{QUOTE}</mark></blockquote>" in html
    assert "only the quote is shown" in html
    changed = {SHA: Document(sha256=SHA, media_type="application/pdf", pages=["x" * 2000, "y"])}
    html = render_report(findings, transfers, changed, kb, title="t", generated_at=GENERATED)
    assert "does not match the document text" in html


def test_report_summary_and_transfer_table(world: World) -> None:
    html = render(world)
    assert re.search(r'<span class="badge sev-critical">critical</span></th><td>1</td>', html)
    assert re.search(r"<th>delivered</th><td>2</td>", html)
    assert re.search(r"<th>register</th><td>1</td>", html)
    for t in world[1]:
        assert f'<tr id="t-{t.id}">' in html
    assert "Harop loitering munitions" in html


def test_report_without_findings_or_transfers_still_renders(world: World) -> None:
    html = render_report([], [], None, world[0], title="Empty", generated_at=GENERATED)
    assert "No findings." in html and "No transfers." in html


def test_write_report_writes_one_file(world: World, tmp_path: Path) -> None:
    kb, transfers, documents, findings = world
    out = tmp_path / "findings.html"
    write_report(findings, transfers, documents, kb, title="r", generated_at=GENERATED, out=out)
    assert out.read_text(encoding="utf-8") == render_report(
        findings, transfers, documents, kb, title="r", generated_at=GENERATED
    )
    assert [p.name for p in tmp_path.iterdir()] == ["findings.html"]


def test_transfers_csv_has_header_and_one_row_per_transfer(world: World) -> None:
    transfers = world[1]
    buffer = io.StringIO()
    assert write_transfers_csv(transfers, buffer) == 3
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert tuple(rows[0]) == TRANSFER_CSV_COLUMNS
    assert len(rows) == 1 + len(transfers)
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    first = records[0]
    assert first["id"] == transfers[0].id
    assert (first["supplier"], first["supplier_name"], first["recipient"]) == ("BY", "Belarus", "AZ")
    assert (first["year_first"], first["year_last"], first["confidence"]) == ("2018", "2022", "0.800")
    assert (first["evidence"], first["doc"], first["page"]) == (QUOTE, SHA, "1")
    assert int(first["end"]) - int(first["start"]) == len(QUOTE)
    assert records[1]["item"].startswith("'=")  # a spreadsheet must not run it
    assert records[2]["evidence"] == "SIPRI Arms Transfers Database 2024, row deal-4711"
    assert records[2]["quantity"] == "10" and records[2]["doc"] == ""


def test_jsonl_lines_parse_and_have_the_contract_keys(world: World) -> None:
    _, transfers, _, findings = world
    buffer = io.StringIO()
    assert write_jsonl([*transfers, *findings], buffer) == 4
    lines = buffer.getvalue().splitlines()
    objects = [json.loads(line) for line in lines]
    for obj in objects[:3]:
        assert obj.keys() >= TRANSFER_KEYS
    assert objects[0]["evidence"][0].keys() >= {"doc", "path", "page", "start", "end", "quote"}
    assert objects[0]["years"] == [2018, 2022]
    finding = objects[3]
    assert finding.keys() >= FINDING_KEYS
    assert finding["rule"] == "ally-arms-adversary/1" and finding["third_party"] == "AM"
    assert all(isinstance(f, str) for f in finding["facts"])
    assert "Azerbaijan" in lines[0]  # not escaped to \\u sequences


def test_tables_print_names_and_keep_markup_literal(world: World) -> None:
    kb, transfers, _, findings = world
    console = Console(record=True, width=240, color_system=None)
    console.print(transfers_table(transfers, kb))
    console.print(findings_table(findings, kb))
    text = console.export_text()
    assert "Belarus (BY)" in text and "Israel (IL)" in text
    assert "[bold red]x[/]" in text
    assert "Collective Security Treaty Organization" in text and "Armenia–Azerbaijan" in text
    assert "critical" in text and "2018–2022" in text
