"""The words of the planner's report (healthcast.report) in English and Chinese. Indicator and
variable titles come from the catalogue; the statuses and units here are those `healthcast
targets --lang zh` prints."""

from __future__ import annotations

WORDS = {
    "en": {
        "html_lang": "en", "report": "Planner's report",
        "summary": "Plan and data", "plan": "Plan", "regions": "Region", "years": "Years",
        "draws": "Monte Carlo draws", "draws_seed": "{draws} (seed {seed})",
        "named": "{name} ({id})", "colon": ": ", "software": "Software",
        "created": "Results written", "data_source": "Data", "unit": "Unit",
        "unit_line": "{region}: census unit {codes}",
        "source_units": "The region's own 2020 census unit: its base population, mortality, "
                        "fertility and migration levels are derived from census counts; the "
                        "health model's cause-specific rates are national.",
        "source_scaled": "National default data scaled to the region's population: no data of "
                         "the region's own.",
        "source_national": "National data (the region has no data of its own in this run).",
        "notes": "How the unit's inputs were derived",
        "notes_language": "Notes as the engine records them (English).",
        "warnings": "Warnings", "no_warnings": "None.",
        "warning_illustrative": "{count} targets are judged on illustrative (placeholder) "
                                "histories, not on observed data: their status says nothing "
                                "about the city until its own figures replace them.",
        "warning_no_draws": "A run without Monte Carlo draws: no probabilities and no "
                            "intervals.",
        "targets": "Targets", "number": "#", "indicator": "Indicator", "year": "Year",
        "target": "Target", "baseline": "Baseline", "modelled": "Modelled",
        "judged": "Judged value", "status": "Status", "probability": "Probability met",
        "first_year_met": "First year met", "basis": "Basis", "text": "The plan's words",
        "targets_note": "Judged value: the value compared with the target (for a relative "
                        "target, the change since the baseline year). Probability: the share "
                        "of Monte Carlo draws in which the target is met (– without draws). "
                        "First year met: the first projected year in which it is met.",
        "chain": "Judging chain", "chain_note": "How each judged value was obtained (targets by "
                                                "number).",
        "chain_official_year": "Official year", "chain_official_value": "Official value",
        "chain_start_year": "Start year", "chain_start_value": "Start value",
        "chain_modelled_change": "Modelled change", "chain_convention": "Change as",
        "chain_baseline_year": "Baseline year", "chain_baseline_value": "Baseline value",
        "chain_proxy": "Proxy", "chain_basis": "Basis",
        "charts": "Modelled targets over time",
        "charts_note": "Median and 95% / 50% intervals of the draws (central projection only "
                       "without draws); diamonds mark targets on the indicator's level "
                       "(filled: met).",
        "no_charts": "No target of this plan is on a modelled indicator.",
        "comparison": "Against the reference",
        "compare_note": "The plan against the reference run on the same unit, summed over "
                        "{first}–{last} (differences of indicators: in {last}). 95% interval "
                        "from the draws where the comparison has them.",
        "reference": "Reference", "measure_unit": "Unit", "measure": "Measure", "value": "Value",
        "interval": "95% interval", "no_reference": "No reference run was given (--reference):"
                                                    " no comparison.",
        "difference_of": "Difference in {title}",
        "levers": "Levers", "lever": "Lever", "kind": "Kind", "size": "Size",
        "no_levers": "The plan has no levers.",
        "lever_reach": "{what} reaches {value}", "percent_sign": "%", "lever_scale": "{what} × {value}",
        "lever_multiply": "{what} × {value}", "lever_add": "{what} + {value}",
        "lever_to_value": "{what} to {value}",
        "description": "The plan as a scenario",
        "methods": "Methods and sources",
        "relative_from": "{change} from {year}",
        "comparator_relative_change": "relative change", "comparator_better_than":
            "better than national", "comparator_decrease": "decrease",
        "comparator_increase": "increase", "comparator_natural": "natural balance",
        "sheet_plan": "Plan", "sheet_targets": "Targets", "sheet_chain": "Judging chain",
        "sheet_comparison": "Comparison", "sheet_levers": "Levers", "field": "Field",
    },
    "zh": {
        "html_lang": "zh-CN", "report": "规划评估报告",
        "summary": "规划与数据", "plan": "规划", "regions": "地区", "years": "年份",
        "draws": "蒙特卡洛抽样次数", "draws_seed": "{draws}（随机种子 {seed}）",
        "named": "{name}（{id}）", "colon": "：", "software": "软件版本",
        "created": "结果生成时间", "data_source": "数据", "unit": "统计单元",
        "unit_line": "{region}：人口普查单元 {codes}",
        "source_units": "采用本地区2020年人口普查单元：基期人口及死亡、生育和迁移水平由普查数据推算；"
                        "健康模型的分病因率采用全国数据。",
        "source_scaled": "按本地区人口规模缩放的全国默认数据：无本地数据。",
        "source_national": "全国数据（本次运行无本地区自有数据）。",
        "notes": "统计单元输入数据的推算说明",
        "notes_language": "以下为模型记录的原文（英文）。",
        "warnings": "警示", "no_warnings": "无。",
        "warning_illustrative": "{count}项目标依据示意性（占位）历史数据评判，而非实际观测数据："
                                "在以本市实际数据替换之前，其状态不反映本市情况。",
        "warning_no_draws": "本次运行无蒙特卡洛抽样：无达标概率和区间。",
        "targets": "规划目标", "number": "序号", "indicator": "指标", "year": "目标年份",
        "target": "目标值", "baseline": "基线值", "modelled": "模型预测值",
        "judged": "评判值", "status": "状态", "probability": "达标概率",
        "first_year_met": "首次达标年份", "basis": "依据", "text": "规划原文",
        "targets_note": "评判值：与目标比较的数值（相对目标为自基线年份以来的变化）。"
                        "达标概率：蒙特卡洛抽样中达到目标的比例（无抽样时为“–”）。"
                        "首次达标年份：预测期内首次达到目标的年份。",
        "chain": "评判依据", "chain_note": "各评判值的推算过程（按目标序号）。",
        "chain_official_year": "官方数据年份", "chain_official_value": "官方数值",
        "chain_start_year": "起算年份", "chain_start_value": "起算值",
        "chain_modelled_change": "模型变化量", "chain_convention": "变化形式",
        "chain_baseline_year": "基线年份", "chain_baseline_value": "基线值",
        "chain_proxy": "替代指标", "chain_basis": "依据",
        "charts": "模型指标的预测走势",
        "charts_note": "抽样中位数及95%和50%区间（无抽样时仅为中心预测）；菱形为目标值（实心：已达标）。",
        "no_charts": "本规划没有针对模型指标的目标。",
        "comparison": "与基准情景比较",
        "compare_note": "本规划与同一统计单元基准情景之比较，为{first}–{last}年累计值"
                        "（指标差值为{last}年数值）。如有抽样，给出95%区间。",
        "reference": "基准情景", "measure_unit": "单位", "measure": "项目", "value": "数值",
        "interval": "95%区间", "no_reference": "未提供基准情景（--reference），无比较。",
        "difference_of": "{title}之差",
        "levers": "干预措施", "lever": "措施", "kind": "类型", "size": "力度",
        "no_levers": "本规划无干预措施。",
        "lever_reach": "{what}达到{value}", "percent_sign": "%", "lever_scale": "{what} × {value}",
        "lever_multiply": "{what} × {value}", "lever_add": "{what} + {value}",
        "lever_to_value": "{what}改为{value}",
        "description": "规划情景说明",
        "methods": "方法与数据来源",
        "relative_from": "较{year}年{change}",
        "comparator_relative_change": "相对变化", "comparator_better_than": "优于全国",
        "comparator_decrease": "下降", "comparator_increase": "上升",
        "comparator_natural": "自然平衡",
        "sheet_plan": "规划", "sheet_targets": "规划目标", "sheet_chain": "评判依据",
        "sheet_comparison": "与基准比较", "sheet_levers": "干预措施", "field": "项目",
    },
}

# Status codes of the targets table (healthcast targets prints the same words).
STATUS = {
    "en": {"met": "met", "not_met": "not met", "observed_met": "observed met",
           "observed_not_met": "observed not met", "no_data": "no data",
           "not_comparable": "not comparable", "set_by_lever": "set by lever",
           "before_projection": "before projection", "after_horizon": "after horizon",
           "no_value": "no value"},
    "zh": {"met": "达标", "not_met": "未达标", "observed_met": "观测已达标",
           "observed_not_met": "观测未达标", "no_data": "无数据", "not_comparable": "不可比",
           "set_by_lever": "由措施设定", "before_projection": "早于预测起点",
           "after_horizon": "晚于预测终点", "no_value": "无值"},
}

UNITS = {
    "en": {"per 1000 live births": "per 1,000 live births",
           "per 100000 live births": "per 100,000 live births", "per 100000": "per 100,000",
           "per 1000": "per 1,000", "per 10000": "per 10,000", "percent": "%", "count": ""},
    "zh": {"years": "岁", "percent": "%", "fraction": "比例", "per 1000 live births": "‰",
           "per 100000 live births": "/10万活产", "per 100000": "/10万", "per 1000": "/千人",
           "per 10000": "/万人", "g/day": "克/日", "persons": "人", "person-years": "人年",
           "count": "个", "males per 100 females": "男/100女", "DALYs": "伤残调整寿命年",
           "years of life": "人年"},
}

# Comparison variables by name.
COMPARED = {
    "en": {"cumulative_deaths_averted": "Deaths averted",
           "cumulative_life_years_gained": "Life-years gained",
           "cumulative_dalys_averted": "DALYs averted"},
    "zh": {"cumulative_deaths_averted": "避免死亡数",
           "cumulative_life_years_gained": "增加的生存人年",
           "cumulative_dalys_averted": "避免的伤残调整寿命年（DALY）"},
}

# Bases of the targets table that the engine writes as fixed words.
BASIS = {
    "en": {"modelled": "modelled"},
    "zh": {"modelled": "模型预测", "monitored trend": "监测趋势",
           "illustrative history": "示意性历史数据"},
}

# Parts of a basis the engine writes with numbers in them: (pattern, words with its groups).
BASIS_PATTERNS = {
    "en": [],
    "zh": [
        (r"change measured from (\d+) \(no value for (\d+)\)", "自{0}年起计算变化（无{1}年数值）"),
        (r"monitored trend \(illustrative history\)", "监测趋势（示意性历史数据）"),
        (r"monitored trend", "监测趋势"),
    ],
}

# Units of the comparison's cumulative measures, and of differences of indicators.
COMPARED_UNITS = {
    "en": {"cumulative_deaths_averted": "persons",
           "cumulative_life_years_gained": "person-years",
           "cumulative_dalys_averted": "DALYs"},
    "zh": {"cumulative_deaths_averted": "人", "cumulative_life_years_gained": "人年",
           "cumulative_dalys_averted": "伤残调整寿命年"},
}
DIFFERENCE_UNITS = {"en": {"percent": "percentage points"},
                    "zh": {"years": "年", "percent": "个百分点"}}

# Other fixed words of the plan's and engine's vocabulary (lever kinds, factors, chain).
TERMS = {
    "zh": {
        "risk_factor_prevalence": "危险因素流行率", "risk_factor_mean": "危险因素均值",
        "case_fatality": "病死率", "other_mortality": "其他死因死亡率", "incidence": "发病率",
        "smoking": "吸烟", "smoking prevalence": "吸烟率", "salt": "食盐摄入", "lung_cancer": "肺癌",
        "other_cancers": "其他癌症", "injuries": "伤害", "ratio": "比值",
        "difference": "差值", "lung_cancer, other_cancers": "肺癌、其他癌症",
        "severe_mental_disorder_management": "严重精神障碍患者管理率",
        "schizophrenia_treatment": "精神分裂症治疗率",
        "crisis_psych_intervention": "重大突发事件心理干预率",
        "physicians_per_1000": "每千人口执业（助理）医师数",
        "nurses_per_1000": "每千人口注册护士数",
        "sports_instructors_per_1000": "每千人口社会体育指导员数",
        "tcm_beds_per_10k": "每万人口公办中医床位数",
        "tcm_physicians_per_10k": "每万人口中医执业（助理）医师数",
        "sports_parks": "体育公园数", "tcm_intl_projects": "中医药国际交流合作项目数",
    },
    "en": {
        "risk_factor_prevalence": "risk factor prevalence", "risk_factor_mean":
            "risk factor mean", "case_fatality": "case fatality",
        "other_mortality": "other-cause mortality", "lung_cancer": "lung cancer",
        "smoking prevalence": "smoking prevalence",
        "severe_mental_disorder_management": "Management of severe mental disorders",
        "schizophrenia_treatment": "Schizophrenia treatment rate",
        "crisis_psych_intervention": "Psychological intervention in emergencies",
        "physicians_per_1000": "Physicians per 1,000", "nurses_per_1000": "Nurses per 1,000",
        "sports_instructors_per_1000": "Sports instructors per 1,000",
        "tcm_beds_per_10k": "TCM beds per 10,000",
        "tcm_physicians_per_10k": "TCM physicians per 10,000", "sports_parks": "Sports parks",
        "tcm_intl_projects": "International TCM projects",
        "other_cancers": "other cancers", "lung_cancer, other_cancers":
            "lung cancer, other cancers",
    },
}

# Columns of the judging chain (Results.targets() of engines that write it), in order.
CHAIN_COLUMNS = ("official_year", "official_value", "start_year", "start_value",
                 "modelled_change", "convention", "baseline_year", "baseline_value", "proxy")

METHODS = {
    "en": [
        "Population: a cohort-component projection by single year of age and sex from the 2020 "
        "census base population, with mortality forecast by the Lee-Carter family of methods, "
        "fertility by a total-fertility-rate model and net migration by age.",
        "Health: a multistate model of the major non-communicable diseases and their risk "
        "factors (smoking, salt, blood pressure, ...) gives incidence, prevalence, case "
        "fatality and deaths by cause; the plan's measures act on them as levers.",
        "Uncertainty: Monte Carlo draws sample the mortality and fertility forecasts and the "
        "health model's inputs; intervals are the 2.5% and 97.5% quantiles of the draws.",
        "Targets are judged on the plan's own indicators as the healthcast documentation "
        "(docs/scenario-format.md) describes; indicators without a modelled counterpart are "
        "judged on the plan's monitored history, when one exists.",
        "Sources: the 2010 and 2020 population censuses of China, the UN World Population "
        "Prospects, the Global Burden of Disease study and the official indicators and plans "
        "listed in the software's data/SOURCES.md.",
    ],
    "zh": [
        "人口：以2020年人口普查为基期，按单岁年龄和性别进行队列要素法预测；死亡率采用Lee-Carter"
        "系列方法预测，生育采用总和生育率模型，净迁移按年龄分配。",
        "健康：主要慢性非传染性疾病及其危险因素（吸烟、食盐、血压等）的多状态模型，给出发病、患病、"
        "病死及分病因死亡；规划措施作为干预措施作用于这些参数。",
        "不确定性：蒙特卡洛抽样对死亡率和生育率预测及健康模型输入进行抽样；区间为抽样的2.5%和97.5%分位数。",
        "目标按规划本身的指标进行评判（见软件文档docs/scenario-format.md）；无模型对应的指标，"
        "如有监测历史数据，则按其趋势评判。",
        "数据来源：中国2010年和2020年人口普查、联合国《世界人口展望》、全球疾病负担研究，以及软件"
        "data/SOURCES.md所列的官方指标和规划文件。",
    ],
}


def translate(text: str, lang: str, fallback: str | None = None) -> str:
    """A fixed term of the plan's or engine's vocabulary in `lang` (else `fallback` or the
    text itself)."""
    return TERMS.get(lang, {}).get(text, fallback if fallback is not None else text)
