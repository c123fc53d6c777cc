"""The emergency kit: a one-page PDF with the vault's recovery key, kept offline by the user."""

from __future__ import annotations

import io
from dataclasses import dataclass

from app.i18n import _


@dataclass(frozen=True, slots=True)
class EmergencyKit:
    vault_name: str
    vault_id: str
    created: str  # already formatted for the reader's locale
    recovery_key: str


def build_pdf(kit: EmergencyKit) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.9 * inch,
        rightMargin=0.9 * inch,
        topMargin=0.9 * inch,
        bottomMargin=0.9 * inch,
        title=_("Waypoint emergency kit"),
        author="Waypoint",
        subject=_("Recovery key"),
    )
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=11, leading=15)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12, textColor=colors.HexColor("#444444"))
    key_style = ParagraphStyle(
        "key", parent=body, fontName="Courier-Bold", fontSize=19, leading=26, alignment=1
    )

    def esc(text: str) -> str:
        # The base-14 fonts lack the narrow no-break space babel puts in times ("1:09 AM").
        text = text.replace("\u202f", " ").replace("\u00a0", " ")
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    story = [
        Paragraph(esc(_("Waypoint emergency kit")), styles["Title"]),
        Paragraph(
            esc(_("Keep this page somewhere safe and offline — not on this laptop, not in email.")),
            body,
        ),
        Spacer(1, 0.2 * inch),
    ]
    facts = Table(
        [
            [_("Vault"), kit.vault_name],
            [_("Vault ID"), kit.vault_id],
            [_("Created"), esc(kit.created)],
        ],
        colWidths=[1.4 * inch, 5.2 * inch],
    )
    facts.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story += [facts, Spacer(1, 0.3 * inch), Paragraph(esc(_("Recovery key")), styles["Heading2"])]
    half = len(kit.recovery_key) // 2 + 1
    key_lines = [kit.recovery_key[:half].rstrip("-"), kit.recovery_key[half:]]
    key_box = Table([[Paragraph(esc(line), key_style)] for line in key_lines], colWidths=[6.6 * inch])
    key_box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#F3F4F6")),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    story += [key_box, Spacer(1, 0.25 * inch)]
    steps = [
        _("If you forget your passphrase, open Waypoint, choose “Use recovery key” on the unlock "
          "screen and type this key. Letters may be typed in any case; dashes are optional."),
        _("Then choose a new passphrase. The recovery key keeps working until you make a new one "
          "in Settings → Security."),
        _("Anyone holding this key and a copy of the vault can read it. Store it like a house key: "
          "locked away, separate from the laptop."),
        _("If this page is lost or seen by someone else, make a new recovery key in Waypoint and "
          "destroy this page."),
    ]
    story.append(Paragraph(esc(_("How to use it")), styles["Heading2"]))
    for number, step in enumerate(steps, start=1):
        story.append(Paragraph(f"{number}. {esc(step)}", body))
        story.append(Spacer(1, 0.06 * inch))
    story += [
        Spacer(1, 0.3 * inch),
        Paragraph(esc(_("Passphrase hint (optional — never write the passphrase itself):")), body),
        Spacer(1, 0.35 * inch),
        Table([[""]], colWidths=[6.6 * inch], style=[("LINEBELOW", (0, 0), (-1, -1), 0.75, colors.grey)]),
        Spacer(1, 0.4 * inch),
        Paragraph(esc(_("This page holds no client information.")), small),
    ]
    doc.build(story)
    return buffer.getvalue()
