"""The report's words in English and Japanese (``--lang ja``)."""

from __future__ import annotations

from typing import Any

_SEGMENTS_JA = {
    "all": "全体",
    "tower (20+ floors)": "タワー（20階以上）",
    "not tower": "タワー以外",
    "under 40 m²": "40㎡未満",
    "40–70 m²": "40〜70㎡",
    "70 m² and over": "70㎡以上",
    "built < 10 years ago": "築10年未満",
    "built 10–29 years ago": "築10〜29年",
    "built 30+ years ago": "築30年以上",
}

TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Tokyo condo asking prices: weekly ward report",
        "dateline": "Koto, Bunkyo and Minato wards · asking prices of used condos on SUUMO, and new-condo supply",
        "summary": "Summary: the four weeks ending {end}",
        "summary_note": "Prices in 万円 (¥10,000). Index: quality-adjusted asking prices of new listings, 100 in the "
        "four weeks ending {base}; its changes compare with the four weeks ending one week (w/w), four weeks (m/m) "
        "and 52 weeks (y/y) earlier. — where there are too few flats or too little history; † an index resting on fewer than {thin} new "
        "flats: read with care.",
        "s_cols": {
            "area": "Area",
            "inventory_units": "On sale",
            "new_units": "New",
            "median_price_per_m2": "Median per m² (万円)",
            "eq70_mean_yen": "70 m² equivalent (万円)",
            "index": "Index",
            "index_wow_pct": "w/w",
            "index_mom_pct": "m/m",
            "index_yoy_pct": "y/y",
            "price_cut_share": "Price cuts",
        },
        "source": "Source: asking prices of used condos listed on SUUMO, collected nightly by tokyo-condo-tracker "
        "(commit {commit}). Generated {generated} JST.",
        "source_simulated": "Source: a SIMULATED market served as SUUMO-like pages on this machine and crawled "
        "nightly by tokyo-condo-tracker (commit {commit}); no real listing is shown. Generated {generated} JST.",
        "downloads": "Data",
        "fields": {
            "area_m2": "floor area",
            "layout": "layout",
            "floor": "floor",
            "built_year": "year built",
            "walk_minutes": "walk to station",
        },
        "controls": "log floor area and size band, floor, tower (20+ floors), building age, walk minutes to the "
        "station, district, a registered (登記) rather than wall-centre area, the land tenure (freehold, "
        "leasehold, fixed-term leasehold, or unknown), and the building (an effect for each building with two or "
        "more new flats: the premium all its flats share)",
        "week": "week",
        "findings": "Findings",
        "charts": "Charts",
        "tables": "Tables: the four weeks to the end of the report week",
        "quality": "Data quality",
        "closed": "Closed prices (MLIT) against asking prices",
        "quarter": "Quarter",
        "closed_cols": {
            "category": "Closed price",
            "sales": "Sales",
            "closed": "Closed /m²",
            "asking": "Asking /m²",
            "gap": "Closed vs asking",
        },
        "closed_categories": {"contract": "contract (REINS)", "transaction": "transaction (survey)"},
        "closed_note": "What flats sold for, from MLIT's Real Estate Information Library, beside the median asking "
        "price per m² of the flats on sale in the same quarter. Latest quarter imported: {latest}. Contract prices "
        "where the quarter has any, transaction prices otherwise. Court, auction and related-party sales are left "
        "out; cells of fewer than {n} sales are suppressed. Source: MLIT (which does not guarantee the data's "
        "currency or accuracy).",
        "closed_none": "No closed prices imported yet: `condo mlit fetch` (MLIT's API key) or `condo mlit import`.",
        "closed_method": "Closed prices come from MLIT's Real Estate Information Library API (XIT001), quarterly and "
        "months late. Areas are rounded (condos to 5 m²) and prices to MLIT's steps, so a price per m² is coarse; "
        "the flats sold are not the flats on sale (a different mix), so the gap is a comparison of two medians, "
        "not a discount any seller gave. Cells of fewer than {n} sales are suppressed. This service uses the "
        "MLIT API; MLIT does not guarantee the data's currency or accuracy.",
        "f_supply": "New condos in {area}: {projects} project(s) on sale ({leasehold} on a lease); {phases} sale "
        "phase(s) opened in the four weeks{units}",
        "f_supply_units": ", offering {units} units",
        "f_supply_range": "; new flats were offered at {low} to {high} (medians of the projects' cheapest and "
        "dearest per m²), against a median of {used} for used flats.",
        "f_supply_thin": "; fewer than {n} projects had prices, too few to give a range.",
        "supply": "New supply: new-condo projects",
        "supply_cols": {
            "projects": "Projects on sale",
            "leasehold": "on a lease",
            "phases": "Phases opened",
            "units": "Units released",
            "low": "New /m², low",
            "high": "New /m², high",
            "used": "Used median /m²",
            "premium": "New vs used",
        },
        "supply_note": "New-condo projects (one SUUMO new-condo page each) seen in the report week, and the sale "
        "phases (期) whose prices first appeared in the four weeks to its end, with the units they offered. A "
        "project's range per m² runs from its cheapest price over its smallest area to its dearest over its "
        "largest; the columns are the medians of those ends over the projects with a price, beside the median "
        "asking price per m² of used flats. Price cells of fewer than {n} priced projects are suppressed. The "
        "index and the other tables cover used condos only.",
        "supply_none": "No new-condo project was crawled: the index and the tables cover used condos only.",
        "supply_method": "New supply is read from SUUMO's new-condo list and project pages (suumo_shinchiku). A "
        "project's price range is its list price lines combined (every phase on sale); units released are the "
        "project page's 販売戸数 when a phase opened (unknown when the page was not read). The ends of a range "
        "per m² assume the cheapest unit is the smallest and the dearest the largest: usual, not certain. "
        "Developers release phases when they choose, so a month's units say more about their plans than about "
        "demand. Cells of fewer than {n} priced projects are suppressed.",
        "flips": "Towers and flips: new flats resold",
        "flips_cols": {
            "on_sale": "On sale",
            "early": "Early resales, 12 months",
            "early_share": "of young units",
            "unoccupied": "Never lived in",
            "handover": "Before handover",
            "rented": "With a tenant",
            "chinese": "Marketed in Chinese",
            "premium": "Flip premium",
        },
        "flips_note": "Early resales are used listings first seen in the last 12 months whose first month came no "
        "later than 12 months after their building's completion (before it included), and their share of the units "
        "of the young buildings (completed in the last 24 months, or not yet). Never lived in (未入居), before "
        "handover, with a tenant (賃貸中) and marketed in Chinese are shares of the flats on sale whose detail page "
        "was read. The flip premium is the median asking price per m² of resales over the midpoint of their "
        "project's price range per m². Shares of fewer than {n} flats, early-resale shares of young buildings under "
        "{young} units and premiums of fewer than {p} resales are suppressed; counts are always shown.",
        "flips_mlit": "For comparison, MLIT's first registry survey (November 2025) found that 9.3 % of new condos "
        "registered in the 23 wards in January–June 2024 were sold again within a year (12.2 % in the central six "
        "wards, more in buildings of 100 units or more). MLIT counts ownership transfers, a year or more after "
        "they happen; this table counts offers on sale tonight, some of which never sell, so the two answer "
        "different questions and are not expected to agree.",
        "flips_marketing": "Marketed in Chinese describes how an advert is written (中国語対応, 中文 and the like), "
        "never who buys: no listing says a buyer's nationality, and this report never infers it.",
        "towers": "Towers with the most flats offered in 12 months",
        "towers_cols": {
            "building": "Building",
            "district": "District",
            "completion": "Completed",
            "units": "Units",
            "offered": "Flats offered",
            "turnover": "Of its units",
            "early": "Early resales",
            "unoccupied": "Never lived in, on sale",
            "premium": "Flip premium",
        },
        "towers_none": "No tower (20 floors or more) had flats offered in the last 12 months.",
        "low_rise": "Minato 3A: low-rise buildings (7 floors or fewer) against taller ones",
        "low_rise_cols": {"segment": "Buildings", "on_sale": "Flats on sale", "median": "Median /m²"},
        "low_rise_segments": {"low_rise": "7 floors or fewer", "taller": "8 floors or more"},
        "flips_method": "Towers and flips: a building is what the identity rules make of its listings (name "
        "without advertising copy, ward, completion, height); its project is the new-condo page with the same "
        "name in the same ward. A listing is an offer, not a sale: an early resale may never sell, and a flat "
        "resold privately never shows. Completion comes from the listings (or the project's delivery date). "
        "MLIT's figures are quoted as published (shared/reference/mlit-resale-survey-2025.md).",
        "f_flips": "{area}: {early} used listing{s} in the last 12 months {were} of flats first offered within a year "
        "of their building's completion or before it{share}{unoccupied}.",
        "f_flips_share": ", {share} of the units of young buildings",
        "f_flips_unoccupied": "; {share} of the flats on sale say they were never lived in",
        "methods": "Methods and caveats",
        "simulated_short": "SIMULATED DATA",
        "colon": ": ",
        "stop": ". ",
        "list_join": ", ",
        "simulated_banner": "SIMULATED DATA: every figure in this report comes from a simulated market, not from real listings.",
        "empty": "The database has no crawl data yet: run `condo crawl` (or `condo demo` for simulated data) first.",
        "no_week": "No crawl data for week {week}: the database covers {first} to {last}.",
        "no_schema": "The database has no tables yet: run `condo db upgrade`, then `condo crawl` (or `condo demo`).",
        "segments": {},
        "area": "Area",
        "segment": "Segment",
        "rose": "rose",
        "fell": "fell",
        "f_median": "The median asking price per m² in {area} {direction} {change:.1f}% over the four weeks to {end}, "
        "to {value}; {cut:.0%} of flats on sale cut their price.",
        "f_level": "The median asking price per m² in {area} was {value} in the four weeks to {end}; "
        "{cut:.0%} of flats on sale cut their price.",
        "f_suppressed": "{area}: fewer than {n} flats were on sale, too few to report prices.",
        "f_index_move": "Quality-adjusted, the asking prices of new listings in {area} {direction} {change:.1f}% "
        "since the four weeks ending {base} (95% interval {low:+.1f}% to {high:+.1f}%).",
        "f_index_flat": "Quality-adjusted, the asking prices of new listings in {area} are not yet distinguishable "
        "from flat since the four weeks ending {base} (index {value:.1f}, 95% interval {low:.1f}–{high:.1f}).",
        "f_no_index": "{area}: too few flats for a quality-adjusted index yet.",
        "f_short": "The index has only {weeks} weekly values so far: treat with caution.",
        "f_thin": "Its latest value rests on {units} new flats only.",
        "f_reconcile_mix": "The median {median} {median_change:.1f}% over four weeks while the quality-adjusted index "
        "{index} {index_change:.1f}%: the mix of flats on sale changed (flats under 40 m² were {now:.0%} of those on "
        "sale, against {before:.0%} four weeks earlier), and the median does not adjust for size, age or place.",
        "f_reconcile": "The median {median} {median_change:.1f}% over four weeks while the quality-adjusted index "
        "{index} {index_change:.1f}%: the median does not adjust for the size, age and place of the flats on sale.",
        "sentence_join": " ",
        "c_index": "Asking prices of new listings, quality-adjusted",
        "c_index_y": "first 4 weeks = 100",
        "c_median": "Median asking price per m², rolling 4 weeks (not quality-adjusted)",
        "c_median_y": "万円 per m²",
        "c_supply": "Supply in the last four weeks (flats)",
        "c_units": "flats",
        "c_cuts": "Flats whose asking price changed in the last four weeks",
        "new": "new",
        "removed": "removed",
        "inventory": "on sale at the end",
        "cut_share": "cut",
        "rise_share": "raised",
        "alt": {
            "index": "Quality-adjusted index of the asking prices of new listings, by ward and for 3A, with 95% intervals",
            "median": "Median asking price per m² by ward, rolling four weeks",
            "supply": "New, removed and remaining flats by ward",
            "cuts": "Share of flats with a price cut or rise",
        },
        "table_note": "Counted over flats (units), not adverts: a flat listed by several agents counts once, at its "
        "cheapest price. Cells with fewer than {n} flats are suppressed (—).",
        "col": {
            "active_units": "flats",
            "leasehold_units": "of them leasehold",
            "new_units": "new",
            "inventory_units": "on sale at end",
            "removed_units": "removed",
            "median_price_yen": "median price",
            "median_price_per_m2": "median /m²",
            "median_price_per_tsubo": "median /坪",
            "eq70_mean_yen": "70 m² equivalent",
            "median_new_listing_price_yen": "median new listing",
            "price_cut_share": "cut share",
            "median_cut_pct": "median cut",
            "price_rise_share": "rise share",
            "age_of_inventory_days": "age of inventory (days)",
            "days_on_market_removed": "days on market (removed)",
            "removals_per_active": "removed ÷ active",
            "median_price_per_m2_mom_pct": "/m² vs 4 weeks before",
        },
        "q_listings": "Listings (adverts) seen",
        "q_units": "Flats (units) seen",
        "q_duplicates": "Duplicate adverts collapsed",
        "q_completeness": "Field completeness",
        "q_coverage": "Crawl coverage (listings seen ÷ the site's hit count)",
        "q_runs": "Crawl runs in the window",
        "q_unhealthy": "Runs not complete and healthy (they cannot remove listings)",
        "q_untrusted": "Ward-nights not trusted (nothing removed from them)",
        "q_suspect_named": "suspect, far below the ward's recent level",
        "q_held": "Removals held for review (too many for one night)",
        "methods_items": [
            "These are asking prices from SUUMO listings, not transaction prices; sellers often accept less.",
            "No source records the buyer's nationality: this report shows prices and supply in the areas named and "
            "cannot attribute them to any group of buyers.",
            "Windows are four weeks ending on the Sunday of the report week (JST). Changes compare with the window "
            "ending 1 week (WoW), 4 weeks (MoM) and 52 weeks (YoY) earlier where the history allows.",
            "Counts are over physical flats (units): several agents' adverts of one flat count once.",
            "Cells with fewer than {n} flats are suppressed.",
            "“Removed” means absent from two consecutive complete and healthy nightly crawls, or shown as ended by "
            "the site: a sale cannot be told from a withdrawal. Blocked or broken crawls never remove a listing.",
            "The 70 m² equivalent is the mean asking price per m² × 70 over family-type flats (at least {m2:.0f} m² "
            "and {rooms} rooms), as Tokyo Kantei defines it.",
            "The quality-adjusted index follows the asking prices of new listings: each flat enters once, at its "
            "first asking price in the week it came on sale (asking prices are sticky, so flats already on sale tell "
            "of past weeks). It is a hedonic time-dummy regression of log asking price per m² on week dummies and "
            "controls: {controls}; each published value is the mean over the four weeks ending on its date, with a "
            "95% interval from heteroskedasticity-robust errors.",
            "Flats already on sale when tracking began, and flats first seen in its first four weeks (they may be "
            "returning from before tracking began, at old prices), are left out of the index: it starts with the "
            "four weeks that follow that burn-in. Ages and days on market in the first weeks are understated.",
            "Measured on 40 simulated markets with the biases of real asking prices (unseen quality, building premiums, "
            "overpricing and cuts, sellers who withdraw, shifting mix, registered areas, leasehold land, holiday weeks): "
            "the 95% interval held the true trend in 97% of values, the mean gap was under 0.1 point and no value was "
            "more than 2.7 points off. Moves are reported only when the interval excludes no change.",
            "District groups (Koto's bay-area towers, Minato's 3A, Bunkyo's school districts) are lists of 町 in an "
            "editable table (db/places/groups.toml); school catchments do not follow 町 lines, so that group is an "
            "approximation.",
        ],
    },
    "ja": {
        "title": "東京マンション売り出し価格 週次区別レポート",
        "dateline": "江東区・文京区・港区 ・ SUUMO掲載の中古マンション売り出し価格と新築マンションの供給",
        "summary": "概要：{end}までの4週間",
        "summary_note": "価格の単位は万円。指数は新規売り出し物件の品質調整済み価格で、{base}までの4週間＝100。"
        "変化率は1週前（前週比）・4週前（前月比）・52週前（前年比）の4週間との比較。—は住戸数または履歴が不足。†は新規売り出し{thin}戸未満に基づく指数で、幅を持って読む必要がある。",
        "s_cols": {
            "area": "エリア",
            "inventory_units": "売り出し中",
            "new_units": "新規",
            "median_price_per_m2": "㎡単価中央値（万円）",
            "eq70_mean_yen": "70㎡換算（万円）",
            "index": "指数",
            "index_wow_pct": "前週比",
            "index_mom_pct": "前月比",
            "index_yoy_pct": "前年比",
            "price_cut_share": "値下げ率",
        },
        "source": "出典：SUUMOに掲載された中古マンションの売り出し価格（tokyo-condo-trackerが毎晩収集、"
        "コミット {commit}）。作成 {generated}（日本時間）。",
        "source_simulated": "出典：本機上でSUUMO風のページとして配信した模擬市場を、tokyo-condo-trackerが毎晩クロールしたもの"
        "（コミット {commit}）。実在の物件は含まない。作成 {generated}（日本時間）。",
        "downloads": "データ",
        "fields": {
            "area_m2": "専有面積",
            "layout": "間取り",
            "floor": "所在階",
            "built_year": "築年",
            "walk_minutes": "駅徒歩",
        },
        "controls": "専有面積の対数と面積帯、所在階、タワー（20階以上）、築年数、駅徒歩分数、町域、登記面積（壁芯でない）、敷地の権利形態（所有権・借地権・定期借地権・不明）、建物（新規売り出しが2戸以上ある建物ごとの効果：その建物の住戸すべてに共通する割増）",
        "week": "週",
        "findings": "主なポイント",
        "charts": "グラフ",
        "tables": "集計表（レポート週末までの4週間）",
        "quality": "データ品質",
        "closed": "成約価格（国土交通省）と売り出し価格",
        "quarter": "四半期",
        "closed_cols": {
            "category": "価格の種類",
            "sales": "件数",
            "closed": "成約㎡単価",
            "asking": "売り出し㎡単価",
            "gap": "成約と売り出しの差",
        },
        "closed_categories": {"contract": "成約価格（レインズ）", "transaction": "取引価格（アンケート）"},
        "closed_note": "国土交通省「不動産情報ライブラリ」の成約価格を、同じ四半期に売り出し中の住戸の㎡単価中央値と並べた。"
        "取り込み済みの最新四半期：{latest}。成約価格情報があればそれを、なければ不動産取引価格情報を用いる。"
        "調停・競売等と関係者間取引は除き、{n}件未満のセルは非表示。出典：国土交通省（情報の最新性・正確性は保証されない）。",
        "closed_none": "成約価格は未取り込み：`condo mlit fetch`（国土交通省のAPIキー）または `condo mlit import` で取り込む。",
        "closed_method": "成約価格は国土交通省「不動産情報ライブラリ」API（XIT001）による。四半期ごとで数か月遅れて公表される。"
        "面積（マンションは5㎡単位）と価格は丸められており、㎡単価は粗い。売れた住戸と売り出し中の住戸は構成が異なるため、"
        "差は二つの中央値の比較であり、売り手が応じた値引きではない。{n}件未満のセルは非表示。"
        "このサービスは国土交通省のAPIを使用しているが、提供情報の最新性・正確性等は保証されていない。",
        "f_supply": "{area}の新築マンション：販売中{projects}物件（うち借地{leasehold}物件）、4週間に販売を始めた期は"
        "{phases}期{units}",
        "f_supply_units": "（販売戸数{units}戸）",
        "f_supply_range": "。新築の㎡単価は{low}～{high}（各物件の最安・最高㎡単価の中央値）、中古の中央値は{used}。",
        "f_supply_thin": "。価格の出ている物件が{n}件未満のため価格帯は示さない。",
        "supply": "新規供給：新築マンション",
        "supply_cols": {
            "projects": "販売中の物件",
            "leasehold": "うち借地",
            "phases": "販売開始の期",
            "units": "販売戸数",
            "low": "新築㎡単価（下限）",
            "high": "新築㎡単価（上限）",
            "used": "中古㎡単価中央値",
            "premium": "新築÷中古",
        },
        "supply_note": "報告週にSUUMOに掲載された新築マンション（物件ページ1件を1物件とする）と、報告週までの4週間に"
        "価格が初めて出た販売期（期）およびその販売戸数。物件の㎡単価幅は最低価格÷最小面積から最高価格÷最大面積まで"
        "とし、価格の出ている物件についてその両端の中央値を、中古住戸の㎡単価中央値と並べた。価格の出ている物件が{n}件"
        "未満の欄は表示しない。指数とほかの表は中古マンションのみを対象とする。",
        "supply_none": "新築マンションは未収集：指数と表は中古マンションのみを対象とする。",
        "supply_method": "新規供給はSUUMOの新築マンション一覧と物件ページによる。物件の価格幅は"
        "一覧の価格行（販売中の全期）を合わせたもの、販売戸数は期の販売開始時の物件ページの販売戸数（ページ未取得なら"
        "不明）。㎡単価幅の両端は最安住戸が最小、最高額住戸が最大という通例を前提とし、確実ではない。販売期の時期は"
        "事業者が決めるため、月ごとの戸数は需要より事業者の計画を映す。価格の出ている物件が{n}件未満の欄は表示しない。",
        "flips": "タワーと転売：新築住戸の早期転売",
        "flips_cols": {
            "on_sale": "販売中",
            "early": "早期転売（12か月）",
            "early_share": "築浅住戸に占める割合",
            "unoccupied": "未入居",
            "handover": "引渡し前",
            "rented": "賃貸中",
            "chinese": "中国語で販売",
            "premium": "転売プレミアム",
        },
        "flips_note": "早期転売は、直近12か月に初めて掲載された中古住戸のうち、建物の完成から12か月以内（完成前を含む）に"
        "初めて売り出されたもの。その割合は築浅の建物（直近24か月以内に完成、または未完成）の総戸数に対する割合。"
        "未入居・引渡し前・賃貸中・中国語で販売は、詳細ページを読んだ販売中住戸に占める割合。転売プレミアムは、"
        "転売住戸の㎡単価を、その新築時の物件の㎡単価幅の中点で割った値の中央値。{n}件未満の割合、総戸数{young}戸"
        "未満の早期転売割合、{p}件未満のプレミアムは表示しない。件数は常に示す。",
        "flips_mlit": "比較として、国土交通省の初の登記調査（2025年11月）では、2024年1～6月に登記された23区の新築"
        "マンションの9.3％が1年以内に転売された（都心6区では12.2％、100戸以上の建物ほど高い）。国土交通省の数字は"
        "所有権移転を1年以上後に数えたもの、この表は今夜売り出されている住戸（売れないものも含む）を数えたもので、"
        "問いが異なり一致するとは限らない。",
        "flips_marketing": "「中国語で販売」は広告の書き方（中国語対応、中文など）を示すだけで、買い手が誰かは示さない。"
        "掲載情報に買い手の国籍はなく、この報告は国籍を推測しない。",
        "towers": "直近12か月に売り出し住戸の多いタワー",
        "towers_cols": {
            "building": "建物",
            "district": "町",
            "completion": "完成",
            "units": "総戸数",
            "offered": "売り出し住戸",
            "turnover": "総戸数比",
            "early": "早期転売",
            "unoccupied": "販売中の未入居",
            "premium": "転売プレミアム",
        },
        "towers_none": "直近12か月に住戸が売り出されたタワー（20階以上）はない。",
        "low_rise": "港区3A：低層（7階以下）の建物とそれより高い建物",
        "low_rise_cols": {"segment": "建物", "on_sale": "販売中の住戸", "median": "㎡単価中央値"},
        "low_rise_segments": {"low_rise": "7階以下", "taller": "8階以上"},
        "flips_method": "タワーと転売：建物は掲載情報から同定したもの（広告文を除いた名称、区、完成年月、階数）、"
        "その新築時の物件は同じ区で同じ名称の新築マンションページ。掲載は売り出しであり売買ではない。早期転売の住戸が"
        "売れるとは限らず、非公開で転売された住戸は現れない。完成年月は掲載情報（なければ物件の引渡時期）による。"
        "国土交通省の数字は公表どおり引用した。",
        "f_flips": "{area}：直近12か月に掲載された中古住戸のうち{early}件が、建物の完成から1年以内（完成前を含む）に"
        "初めて売り出された住戸{share}{unoccupied}。",
        "f_flips_share": "（築浅の建物の総戸数の{share}）",
        "f_flips_unoccupied": "。販売中住戸の{share}が未入居",
        "methods": "方法と注意点",
        "simulated_short": "シミュレーションデータ",
        "colon": "：",
        "stop": "。",
        "list_join": "、",
        "simulated_banner": "シミュレーションデータ：このレポートの数値はすべて模擬市場のもので、実際の物件ではありません。",
        "empty": "データベースにクロール結果がありません。先に `condo crawl`（模擬データなら `condo demo`）を実行してください。",
        "no_week": "{week} のクロール結果はありません。データの範囲は {first} から {last} です。",
        "no_schema": "データベースにテーブルがありません。`condo db upgrade` の後に `condo crawl`（または `condo demo`）を実行してください。",
        "segments": _SEGMENTS_JA,
        "area": "エリア",
        "segment": "区分",
        "rose": "上昇",
        "fell": "下落",
        "f_median": "{area}の㎡単価の中央値は{end}までの4週間で{change:.1f}%{direction}し、{value}となった。"
        "売り出し中の住戸の{cut:.0%}が値下げした。",
        "f_level": "{area}の㎡単価の中央値は{end}までの4週間で{value}。売り出し中の住戸の{cut:.0%}が値下げした。",
        "f_suppressed": "{area}は売り出し住戸が{n}戸未満のため、価格は公表しない。",
        "f_index_move": "品質調整後の{area}の新規売り出し価格は、{base}までの4週間と比べて{change:.1f}%{direction}した"
        "（95%区間 {low:+.1f}%〜{high:+.1f}%）。",
        "f_index_flat": "品質調整後の{area}の新規売り出し価格は、{base}までの4週間と比べて横ばいと区別できない"
        "（指数{value:.1f}、95%区間 {low:.1f}〜{high:.1f}）。",
        "f_no_index": "{area}は住戸数が少なく、品質調整済み指数はまだ算出できない。",
        "f_short": "指数はまだ{weeks}週分しかなく、慎重に扱うべきである。",
        "f_thin": "直近の値は新規売り出し{units}戸のみに基づく。",
        "f_reconcile_mix": "中央値は4週間で{median_change:.1f}%{median}したが、品質調整済み指数は{index_change:.1f}%{index}した。"
        "売り出し住戸の構成が変わったためである（40㎡未満の住戸の割合は4週間前の{before:.0%}から{now:.0%}へ）。"
        "中央値は広さ・築年・立地を調整しない。",
        "f_reconcile": "中央値は4週間で{median_change:.1f}%{median}したが、品質調整済み指数は{index_change:.1f}%{index}した。"
        "中央値は売り出し住戸の広さ・築年・立地を調整しない。",
        "sentence_join": "",
        "c_index": "新規売り出し価格（品質調整済み）",
        "c_index_y": "最初の4週間＝100",
        "c_median": "㎡単価の中央値（4週移動、品質調整なし）",
        "c_median_y": "万円／㎡",
        "c_supply": "直近4週間の供給（戸）",
        "c_units": "戸",
        "c_cuts": "直近4週間に価格が変わった住戸の割合",
        "new": "新規",
        "removed": "掲載終了",
        "inventory": "期末在庫",
        "cut_share": "値下げ",
        "rise_share": "値上げ",
        "alt": {
            "index": "新規売り出し価格の品質調整済み指数（区別・港区3A、95%区間付き）",
            "median": "区別㎡単価中央値（4週移動）",
            "supply": "区別の新規・掲載終了・在庫",
            "cuts": "値下げ・値上げ住戸の割合",
        },
        "table_note": "広告ではなく住戸単位で集計（複数業者の同一住戸は最安値で1戸）。{n}戸未満のセルは非表示（—）。",
        "col": {
            "active_units": "住戸数",
            "leasehold_units": "うち借地権",
            "new_units": "新規",
            "inventory_units": "期末在庫",
            "removed_units": "掲載終了",
            "median_price_yen": "価格中央値",
            "median_price_per_m2": "㎡単価中央値",
            "median_price_per_tsubo": "坪単価中央値",
            "eq70_mean_yen": "70㎡換算",
            "median_new_listing_price_yen": "新規価格中央値",
            "price_cut_share": "値下げ率",
            "median_cut_pct": "値下げ幅中央値",
            "price_rise_share": "値上げ率",
            "age_of_inventory_days": "在庫日数",
            "days_on_market_removed": "掲載日数（終了分）",
            "removals_per_active": "終了÷掲載",
            "median_price_per_m2_mom_pct": "㎡単価4週前比",
        },
        "q_listings": "広告数",
        "q_units": "住戸数",
        "q_duplicates": "重複広告の統合数",
        "q_completeness": "項目の充足率",
        "q_coverage": "取得率（取得件数÷サイトの件数）",
        "q_runs": "期間内のクロール回数",
        "q_unhealthy": "完全・正常でないクロール（掲載終了の判定に使わない）",
        "q_untrusted": "信頼できない区・夜（掲載終了の判定に使わない）",
        "q_suspect_named": "直近の水準を大きく下回った疑わしい夜",
        "q_held": "確認待ちの掲載終了判定（一晩としては多すぎる件数）",
        "methods_items": [
            "SUUMOの売り出し価格であり、成約価格ではない。",
            "購入者の国籍を記録する情報源はない。本レポートは価格と供給を示すのみで、特定の購入者層に帰することはできない。",
            "集計期間はレポート週の日曜日（日本時間）までの4週間。前週・4週前・52週前と比較（履歴がある場合）。",
            "住戸単位で集計し、複数業者の同一住戸は1戸と数える。",
            "{n}戸未満のセルは非表示。",
            "「掲載終了」は2回連続の完全・正常なクロールで見当たらない、またはサイトが掲載終了を表示したもの。売却と取り下げは区別できない。",
            "70㎡換算は、ファミリータイプ（{m2:.0f}㎡以上・{rooms}部屋以上）の㎡単価平均×70（東京カンテイの定義に準拠）。",
            "品質調整指数は新規売り出し物件の価格を追う。各住戸は売り出された週の最初の売り出し価格で一度だけ算入する"
            "（売り出し価格は改定が少なく、売り出し中の住戸は過去の週の水準を示すため）。㎡単価の対数を週ダミーと説明変数"
            "（{controls}）で回帰するヘドニック時間ダミー法で、公表値はその日までの4週間の平均。95%区間は不均一分散に頑健な標準誤差による。",
            "追跡開始時点で既に売り出し中の住戸と、追跡開始後4週間に初めて見つかった住戸（開始前の古い価格で再掲載された"
            "可能性がある）は指数から除外し、指数はその4週間の後から始まる。初期の築年数・掲載日数は過小となる。",
            "実際の売り出し価格の偏り（見えない品質、建物ごとの割増、高値売り出しと値下げ、取り下げ、構成の変化、登記面積、借地、"
            "連休週）を持つ40の模擬市場で測定した結果、95%区間が真の傾向を含んだ割合は97%、平均の乖離は0.1ポイント未満、"
            "最大の乖離は2.7ポイント以内だった。変化は区間が「変化なし」を含まない場合にのみ記述する。",
            "地区グループ（江東区湾岸エリア、港区3A、文京区の人気公立小学区）は町名の一覧で、編集可能な表"
            "（db/places/groups.toml）にある。学区は町の境界と一致しないため、学区グループは近似である。",
        ],
    },
}
