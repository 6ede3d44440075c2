"""Each report figure's caption, and how our rebuild maps onto it.

The report's captions are the specification of its figures: what is compared,
over which period and where. Each chapter of the book opens with the caption
and a short table of how ours differs (period, measure, geography, source and
what is missing), generated from here so the chapters, the package and the
README cannot drift apart. Captions are figure titles of the report, quoted;
everything else is in this project's words.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The aspects every mapping covers, in the order the table shows them.
ASPECTS = ("period", "measure", "geography", "source", "missing")


@dataclass(frozen=True)
class Aspect:
    """One line of a mapping: what the report's figure has, and what ours has.

    Attributes:
        report: What the report's caption or text gives ("not stated" when silent).
        ours: What our rebuild uses.
    """

    report: str
    ours: str


@dataclass(frozen=True)
class CaptionMapping:
    """A report figure's caption and how ours maps onto it.

    Attributes:
        figure: Identifier ("fig5").
        caption: The report's figure title, quoted.
        period, measure, geography, source, missing: One line each (see :data:`ASPECTS`).
    """

    figure: str
    caption: str
    period: Aspect
    measure: Aspect
    geography: Aspect
    source: Aspect
    missing: Aspect

    def rows(self) -> list[dict[str, str]]:
        """The mapping as table rows, one per aspect."""
        return [
            {"aspect": name, "report": getattr(self, name).report, "ours": getattr(self, name).ours}
            for name in ASPECTS
        ]


NOT_STATED = "not stated"

CAPTIONS: dict[str, CaptionMapping] = {
    m.figure: m
    for m in (
        CaptionMapping(
            "fig1",
            "The majority of daily NHS activity happens in general practice and the community",
            Aspect(NOT_STATED, "2018/19 and 2022/23; average a calendar day"),
            Aspect(
                "NHS activity a day by setting",
                "appointments, contacts, attendances, admissions (episodes) and incidents, each as its "
                "publisher counts them",
            ),
            Aspect(NOT_STATED + " (NHS, so England)", "England"),
            Aspect(
                NOT_STATED,
                "National Audit Office (general practice); NHS Digital community services and hospital "
                "episode statistics; NHS England A&E and ambulance statistics",
            ),
            Aspect(
                "",
                "NHS 111 calls for either year; general practice appointments on the report's own basis",
            ),
        ),
        CaptionMapping(
            "fig2",
            "A large proportion of expenditure on health and social care goes towards acute trusts",
            Aspect(NOT_STATED + " (text: 2021/22)", "2021/22; primary care also 2017/18 to 2021/22"),
            Aspect("spending by destination", "£ billion, cash and 2021/22 prices"),
            Aspect(NOT_STATED, "England"),
            Aspect(
                NOT_STATED,
                "DHSC annual report and accounts (primary care lines); NHS Digital adult social care "
                "finance; public health grant allocations",
            ),
            Aspect("", "NHS trust spending by trust type (NHS provider accounts) for 2021/22"),
        ),
        CaptionMapping(
            "fig3",
            "Acute trusts have seen the largest increases in expenditure over the past five years",
            Aspect(
                "past five years", "2016/17 to 2021/22 (2016/17 from the 2017/18 files' prior-year column)"
            ),
            Aspect(
                "growth in expenditure by trust type",
                "total operating expenditure (EXP0390), cash and 2021/22 prices; total operating income "
                "(INC1365) beside it",
            ),
            Aspect(NOT_STATED + " (NHS trusts, so England)", "England"),
            Aspect(NOT_STATED, "NHS England's trust accounts consolidation (TAC) data files"),
            Aspect(
                "",
                "every value until the TAC files are downloaded and ingested: they are too large to keep, "
                "and none is in data/raw",
            ),
        ),
        CaptionMapping(
            "fig4",
            "Compared to 2015/16, local authorities are spending more on social care, but fewer people "
            "are receiving support",
            Aspect("from 2015/16; end year not stated", "2015/16 to 2023/24, indexed to 2015/16"),
            Aspect(
                "spending and people supported",
                "gross current expenditure at 2021/22 prices; people receiving long-term support; "
                "requests for support",
            ),
            Aspect("local authorities (England)", "England"),
            Aspect(
                NOT_STATED, "NHS Digital adult social care activity and finance; HM Treasury GDP deflator"
            ),
            Aspect(
                "",
                "nothing in the series; 2020/21 and 2021/22 include one-off Covid-19 funding, "
                "kept and marked",
            ),
        ),
        CaptionMapping(
            "fig5",
            "Growth in the number of NHS doctors in the past five years compared with the next five years",
            Aspect(
                "past five years and next five years (text: to 2026/27)",
                "Sep 2016 to Sep 2021; 2021/22 to 2026/27 (GPs: the report's statement only); the plan's "
                "2021/22 to 2036/37 in a separate panel",
            ),
            Aspect(
                NOT_STATED,
                "consultants: headcount (past); GPs: FTE, fully qualified (past); the report's GPs (next): "
                "staff group and basis not stated, so no rate; plan: FTE",
            ),
            Aspect(NOT_STATED + " (NHS, so England)", "England"),
            Aspect(
                "text: NHS Long Term Workforce Plan",
                "NHS Digital workforce statistics; the report's 3,000 more GPs; the plan as the National "
                "Audit Office reports it",
            ),
            Aspect(
                "",
                "consultant FTE for Sep 2021; the plan's own 2026/27 levels (consultants and GPs); all GPs "
                "including trainees on the revised basis",
            ),
        ),
        CaptionMapping(
            "fig6",
            "Growth in the number of NHS nurses in the past 10 years compared with the next 10 years",
            Aspect(
                "past ten years and next ten years",
                "Sep 2012 to Sep 2021 (nine years: Sep 2022 is not in the edition read); next: the report's "
                "9,000 community nurses by 2026/27 only",
            ),
            Aspect(NOT_STATED + " (text: by care setting)", "headcount, all care settings together"),
            Aspect(NOT_STATED + " (NHS, so England)", "England"),
            Aspect(
                "text: NHS Long Term Workforce Plan",
                "NHS Digital, NHS Workforce Statistics (headcount); DHSC statements beside the chart",
            ),
            Aspect(
                "",
                "nurses and health visitors by care setting, FTE, each September 2012 to 2023 (NHS "
                "Workforce Statistics); the plan's tables and growth rates by setting",
            ),
        ),
        CaptionMapping(
            "fig7",
            "The social care vacancy rate is rising while the overall unemployment rate in England is "
            "falling",
            Aspect(NOT_STATED, "2012/13 to 2022/23 (our reading), and 2023/24 marked as newer"),
            Aspect(
                "vacancy rate; unemployment rate",
                "adult social care vacancy rate (Skills for Care); unemployment rate, aged 16 and over, "
                "January to March",
            ),
            Aspect("England", "vacancies: England; unemployment: United Kingdom, labelled as such"),
            Aspect(NOT_STATED, "Skills for Care workforce estimates; ONS Labour Force Survey (series MGSX)"),
            Aspect(
                "",
                "England's unemployment rate (ONS series YCNL) for the January to March quarters",
            ),
        ),
    )
}


def caption_mapping(figure: str) -> CaptionMapping:
    """The caption and mapping of one report figure ("fig5")."""
    try:
        return CAPTIONS[figure]
    except KeyError:
        raise KeyError(f"no caption for {figure!r}; known: {', '.join(CAPTIONS)}") from None
