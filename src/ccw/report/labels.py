"""Every label of the report in English and Chinese: the one dictionary the page and its charts use.

``LABELS[key] = (english, chinese)``. The page shows both spans and a class on ``<html>`` hides one; chart
texts whose English text is a label (or a data label such as an issue type's ``label_en``) get a Chinese twin.
"""

from __future__ import annotations

from html import escape

LANGS = ("en", "zh")

LABELS: dict[str, tuple[str, str]] = {
    # page
    "title": ("Contact centre daily report", "客服中心日报"),
    "subtitle": ("Published marts of the warehouse", "数据仓库发布的数据集市"),
    "data_through": ("Data through", "数据截至"),
    "published": ("Published", "发布时间"),
    "version": ("Version", "版本"),
    "window": (
        "Last 7 days vs the 7 days before; service level, ASA, abandonment and AHT of the live queues (phone, chat)",
        "最近7天与之前7天对比；服务水平、平均应答速度、放弃率和平均处理时长仅统计实时队列（电话、在线聊天）",
    ),
    "fcr_through": ("K17: the 7 days through", "K17：统计截至"),
    "fcr_pending_left_out": ("pending contacts left out", "个待定联络未计入"),
    "fcr_caption": (
        "FCR follows K17: contacts whose 7-day repeat window is still open are pending and left out of the rate, so "
        "the newest days have no FCR yet",
        "首次解决率按K17计算：7天重复联络观察期尚未结束的联络为待定，不计入分母，因此最近几天暂无首次解决率",
    ),
    "switch": ("中文", "English"),
    "no_data": ("No data in the published marts for this section.", "已发布的数据集市中没有本节的数据。"),
    "footer": (
        "Every KPI is a metric of the semantic layer (docs/kpis.md), re-aggregated from summed numerators and "
        "denominators. Static page, no network access.",
        "所有指标均来自语义层的指标定义（docs/kpis.md），由分子与分母汇总后重新计算。静态页面，无需联网。",
    ),
    # sections
    "sec_headline": ("Headline KPIs", "核心指标"),
    "sec_volume": ("Volume by channel", "各渠道来量"),
    "sec_service": ("Service level, ASA and abandonment", "服务水平、平均应答速度与放弃率"),
    "sec_quality": ("First-contact resolution and CSAT", "首次解决率与满意度"),
    "sec_agents": ("Agents", "坐席"),
    "sec_issues": ("Issue types", "问题类型"),
    "sec_sources": ("Where chat customers come from", "在线客户来源"),
    "sec_retention": ("Retention after a contact", "联络后的客户留存"),
    "sec_backlog": ("Help-desk backlog", "工单积压"),
    "sec_forecast": ("Forecast and staffing", "预测与排班"),
    "sec_alerts": ("Open alerts", "未关闭告警"),
    "sec_initiatives": ("Improvement initiatives", "改进举措"),
    "sec_churn": ("Churn risk and retention worklist", "客户流失风险与挽留名单"),
    "sec_complaints": ("Complaints and praise", "投诉与表扬"),
    "sec_dq": ("Data quality", "数据质量"),
    # KPIs
    "offered": ("Offered", "进线量"),
    "answered": ("Answered", "接通量"),
    "service_level": ("Service level", "服务水平"),
    "asa": ("ASA (s)", "平均应答速度（秒）"),
    "abandon_rate": ("Abandon rate", "放弃率"),
    "fcr_rate": ("FCR", "首次解决率"),
    "csat_pct": ("CSAT top-2", "满意度（4-5分）"),
    "csat_avg": ("CSAT mean", "平均满意度"),
    "aht": ("AHT (s)", "平均处理时长（秒）"),
    "target": ("Target", "目标"),
    "no_target": ("no target in the marts", "数据集市中无目标"),
    "vs_prev": ("vs previous 7 days", "较前7天"),
    "met": ("on target", "达标"),
    "missed": ("off target", "未达标"),
    # axes, legends
    "date": ("Date", "日期"),
    "contacts": ("Contacts", "联络量"),
    "hour": ("Hour of day (local)", "小时（当地时间）"),
    "weekday": ("Weekday", "星期"),
    "mon": ("Mon", "周一"),
    "tue": ("Tue", "周二"),
    "wed": ("Wed", "周三"),
    "thu": ("Thu", "周四"),
    "fri": ("Fri", "周五"),
    "sat": ("Sat", "周六"),
    "sun": ("Sun", "周日"),
    "phone": ("Phone", "电话"),
    "chat": ("Chat", "在线聊天"),
    "email": ("Email", "邮件"),
    "web_form": ("Web form", "网页表单"),
    "heatmap_caption": (
        "Offered contacts per 30-minute interval, mean over the last 4 weeks",
        "最近4周每30分钟平均进线量",
    ),
    "share": ("Share", "占比"),
    "open_tickets": ("Open tickets", "未解决工单"),
    "status_new": ("New", "新建"),
    "status_open": ("Open", "处理中"),
    "status_pending": ("Pending (waiting for the customer)", "待客户回复"),
    "status_hold": ("On hold", "挂起"),
    "created": ("Created", "新建量"),
    "solved": ("Solved", "解决量"),
    "reopened": ("Reopened", "重开量"),
    "age_band": ("Age", "工单账龄"),
    "backlog_age_caption": (
        "Tickets open at the end of the last day, by age since creation and channel",
        "最后一天结束时未解决的工单，按创建以来的账龄和渠道",
    ),
    "cumulative": ("Cumulative share", "累计占比"),
    "volume_28d": ("Offered, last 28 days", "最近28天进线量"),
    "aht_seconds": ("AHT (s)", "平均处理时长（秒）"),  # same text as "aht"
    "median": ("Median", "中位数"),
    "quadrant_caption": (
        "Each dot an agent (latest month); lines at the whole centre's AHT and CSAT top-2",
        "每个点代表一名坐席（最近一个月）；参考线为全中心的平均处理时长和满意度",
    ),
    "forecast": ("Forecast", "预测"),
    "actual": ("Actual", "实际"),
    "band_80": ("80 % interval", "80%区间"),
    "staffing_gap": ("Staffing gap (agents)", "人员缺口（人）"),
    "forecast_caption": (
        "Backtest: the last forecast from an earlier origin against what arrived, all queues, per 30 minutes",
        "回测：较早起点的预测与实际到达量对比，所有队列，每30分钟",
    ),
    "forecast_future_caption": (
        "Next 7 days: forecast contacts per 30 minutes, all queues",
        "未来7天：每30分钟预测联络量，所有队列",
    ),
    "gap_caption": (
        "Scheduled agents minus the Erlang C requirement, next 7 days, all live queues (negative = understaffed)",
        "排班人数减去 Erlang C 需求人数，未来7天，所有实时队列（负数表示人手不足）",
    ),
    "no_backtest": ("No backtest in this sample (too few weeks of data).", "本样本数据周数不足，没有回测。"),
    "retention_30d": ("Retained 30 d", "30天留存"),
    "retention_60d": ("Retained 60 d", "60天留存"),
    "retention_90d": ("Retained 90 d", "90天留存"),
    "csat_4_5": ("CSAT 4-5", "满意度4-5分"),
    "csat_3": ("CSAT 3", "满意度3分"),
    "csat_1_2": ("CSAT 1-2", "满意度1-2分"),
    "no_csat": ("No CSAT", "无满意度"),
    "no_contact": ("No contact", "无联络"),
    "retention_caption": (
        "Customers who ordered again within 30/60/90 days of their first contact of the month, by CSAT band, "
        "beside customers without a contact (every other customer, not a matched sample)",
        "当月首次联络后30/60/90天内再次下单的客户占比，按满意度分组，并与无联络客户对比（非配对样本）",
    ),
    # tables
    "agent": ("Agent", "坐席"),
    "team": ("Team", "团队"),
    "quality_score": ("Quality score", "质量得分"),
    "rank_in_team": ("Rank in team", "团队内排名"),
    "handled": ("Handled", "处理量"),
    "segment": ("Segment", "分群"),
    "leaderboard_caption": ("Top agents by quality score, latest month", "最近一个月质量得分最高的坐席"),
    "issue_type": ("Issue type", "问题类型"),
    "volume": ("Volume", "来量"),
    "expected": ("Usual for the weekdays", "同期常规量"),
    "change": ("Change vs usual weekday", "较常规同日变化"),
    "movers_caption": (
        "Movers: last 7 days against the same weekdays of the previous 4 weeks",
        "变化最大：最近7天与前4周同一星期几对比",
    ),
    "entry_page": ("Entry page", "入口页面"),
    "utm_source": ("Campaign source", "推广来源"),
    "missed_rate": ("Missed", "未接率"),
    "first_response": ("First response (s)", "首次响应（秒）"),
    "direct": ("(direct)", "（直接访问）"),
    "unknown": ("(unknown)", "（未知）"),
    "severity": ("Severity", "严重程度"),
    "kpi": ("KPI", "指标"),
    "queue": ("Queue", "队列"),
    "when": ("When", "时间"),
    "value": ("Value", "数值"),
    "evidence": ("Evidence", "依据"),
    "critical": ("critical", "严重"),
    "warning": ("warning", "警告"),
    "info": ("info", "信息"),
    "alerts_caption": ("Alerts of the newest day with alerts", "最近一个有告警日期的告警"),
    "no_alerts": ("No alerts in the last 7 data days.", "最近7个数据日没有告警。"),
    "initiatives_caption": (
        "Running and finished initiatives: the KPI of the units in scope before → after the start over equal "
        "windows, and the difference-in-differences against comparable untreated units relative to what the units "
        "would have had without the initiative, with its 95 % interval",
        "进行中和已结束的改进举措：举措范围内单位在开始前后等长窗口的指标值，以及相对于未受影响的可比单位的双重差分效果"
        "（相对于无举措时的预期值），含95%置信区间",
    ),
    "no_initiatives": ("No initiative of the register has started.", "登记表中暂无已开始的改进举措。"),
    "initiative": ("Initiative", "举措"),
    "pdca_stage": ("PDCA stage", "PDCA阶段"),
    "before_after": ("Before → after", "开始前 → 开始后"),
    "relative_effect": ("Effect [95 % CI]", "效果 [95%置信区间]"),
    "verdict": ("Verdict", "结论"),
    "stage_plan": ("Plan", "计划"),
    "stage_do": ("Do (running)", "执行（进行中）"),
    "stage_check": ("Check (ended)", "检查（已结束）"),
    "stage_act": ("Act", "处理"),
    "expect_decrease": ("should fall", "应下降"),
    "expect_increase": ("should rise", "应上升"),
    "verdict_improved": ("improved", "已改善"),
    "verdict_none": ("no detectable effect", "未检测到效果"),
    "verdict_worse": ("worse", "变差"),
    "verdict_too_little": ("too little data", "数据不足"),
    "churn_backtest_caption": (
        "Backtest of the churn risk (customers of a past month, scored by a model trained only on what was known "
        "then, against whether they placed no order in the following days): the model on orders, contacts, "
        "surveys and complaints beside the orders-only RFM baseline",
        "流失风险回测（过去月份的客户，用当时已知数据训练的模型评分，与其后是否未再下单对比）：基于订单、联络、调查和投诉的模型"
        "与仅基于订单的RFM基线对比",
    ),
    "churn_worklist_caption": (
        "Retention worklist of the latest month: high value (top 20 % by paid amount of the last 180 days) and "
        "high risk (top 2 risk deciles), first the highest risk x value; customer ids are the CRM's pseudonymous "
        "ids",
        "最新月份的挽留名单：高价值（近180天支付金额前20%）且高风险（风险最高的2个十分位），按风险×价值排序；客户编号为CRM的"
        "匿名编号",
    ),
    "no_churn": ("No churn risk yet: too little order and contact history to train on.",
                 "暂无流失风险：可用于训练的订单和联络历史不足。"),
    "no_worklist": ("No customer is on the retention worklist.", "挽留名单中暂无客户。"),
    "churn_model_name": ("Model", "模型"),
    "churn_model": ("Churn model (orders + service)", "流失模型（订单+服务）"),
    "rfm_baseline": ("RFM baseline (orders only)", "RFM基线（仅订单）"),
    "backtest_month": ("Backtest month", "回测月份"),
    "scored_month": ("Scored month", "评分月份"),
    "churn_rate": ("Churn rate", "流失率"),
    "roc_auc": ("ROC AUC", "ROC AUC"),
    "pr_auc": ("PR AUC", "PR AUC"),
    "brier_score": ("Brier score", "Brier分数"),
    "calibration_error": ("Calibration error", "校准误差"),
    "churn_scored": ("Customers scored", "已评分客户"),
    "churn_horizon": ("No order within (days)", "未下单天数窗口"),
    "worklist_size": ("On the worklist", "挽留名单人数"),
    "priority": ("Priority", "优先级"),
    "customer": ("Customer", "客户"),
    "value_percentile": ("Value percentile", "价值百分位"),
    "churn_risk": ("Churn risk", "流失风险"),
    "risk_decile": ("Risk decile", "风险十分位"),
    "top_drivers": ("Top drivers", "主要驱动因素"),
    "drv_days_since_last_order": ("days since last order", "距上次下单天数"),
    "drv_orders_90d": ("orders in 90 days", "90天订单数"),
    "drv_orders_180d": ("orders in 180 days", "180天订单数"),
    "drv_value_percentile": ("value percentile", "价值百分位"),
    "drv_repeat_contacts": ("repeat contacts", "重复联络"),
    "drv_unresolved_contacts": ("unresolved contacts", "未解决联络"),
    "drv_transferred_contacts": ("transferred contacts", "转接联络"),
    "drv_abandoned_contacts": ("abandoned contacts", "放弃的联络"),
    "drv_complaint_contacts": ("complaints", "投诉"),
    "drv_phone_contacts": ("phone contacts", "电话联络"),
    "drv_chat_contacts": ("chat contacts", "在线聊天联络"),
    "drv_ticket_contacts": ("e-mail / web-form tickets", "邮件/网页表单工单"),
    "drv_live_wait_minutes": ("queue wait", "排队等待"),
    "drv_survey_responses": ("survey responses", "调查回复"),
    "drv_low_csat_responses": ("low CSAT", "低CSAT"),
    "drv_nps_detractor_responses": ("NPS detractor", "NPS贬损者"),
    "drv_high_effort_responses": ("high effort (CES)", "高费力度（CES）"),
    "drv_negative_feedback_responses": ("negative feedback", "负面反馈"),
    "drv_negative_comments": ("negative comments", "负面评论"),
    "complaints_caption": (
        "Complaints of the latest month: contacts filed as a complaint or rated CSAT 1-2, against the month before; "
        "their wait, repeat contacts, FCR and resolution beside all contacts",
        "最新月份的投诉：问题类型为投诉或CSAT评分为1-2分的联络，与上月对比；投诉联络的等待时间、重复联络、首次解决率和解决率与全部联络对比",
    ),
    "no_complaints": ("No complaints or feedback comments to analyse.", "暂无可分析的投诉或反馈评论。"),
    "complaint_month": ("Month", "月份"),
    "complaints": ("Complaints", "投诉"),
    "complaint_rate": ("Complaint rate (previous → latest)", "投诉率（上期 → 本期）"),
    "negative_feedback_rate": ("Negative feedback (K27)", "负面反馈率（K27）"),
    "measure": ("Measure", "指标"),
    "all_contacts": ("All contacts", "全部联络"),
    "repeat_contact_rate": ("Repeat contacts", "重复联络率"),
    "resolution_rate": ("Resolution rate", "解决率"),
    "complaint_drivers_caption": (
        "Where complaints come from: the slices of the latest month with at least 200 contacts whose complaint rate "
        "is above the centre's (lift = slice rate / centre rate)",
        "投诉来源：最新月份联络量不少于200、投诉率高于全中心水平的分组（倍数 = 分组投诉率 / 全中心投诉率）",
    ),
    "no_complaint_drivers": ("No slice complains more than the centre.", "没有投诉率高于全中心水平的分组。"),
    "complaint_slice": ("Slice", "分组"),
    "complaint_lift": ("Lift", "倍数"),
    "complaint_movers_caption": (
        "Movers: slices whose complaint rate rose or fell against the previous week or month beyond chance (at "
        "least 200 contacts in both periods and |z| ≥ 3)",
        "变动项：投诉率较上周或上月的升降超出随机波动的分组（两期联络量均不少于200且|z| ≥ 3）",
    ),
    "no_complaint_movers": ("No slice's complaint rate moved beyond chance in the latest week or month.",
                            "最近一周或一个月没有分组的投诉率变动超出随机波动。"),
    "period": ("Period", "周期"),
    "period_week": ("week of", "周"),
    "period_month": ("month of", "月"),
    "z_score": ("z", "z值"),
    "mover_rose": ("rose", "上升"),
    "mover_fell": ("fell", "下降"),
    "themes_caption": (
        "Themes of the latest month: terms of positive and negative survey comments and of complaint ticket "
        "subjects (sentiment-lexicon terms, frequent words and Chinese word pairs) with the texts that used them "
        "and their share; only terms at least 5 customers used, never a comment or a name",
        "最新月份的主题：正面和负面调查评论以及投诉工单标题中的词语（情感词典词语、高频词和中文双字词），含使用该词的文本数及占比；"
        "仅显示至少5位客户使用过的词语，不显示任何评论原文或姓名",
    ),
    "rank": ("#", "排名"),
    "themes_praise": ("Praise (survey comments)", "表扬（调查评论）"),
    "themes_complaint": ("Complaints (survey comments)", "投诉（调查评论）"),
    "themes_tickets": ("Complaints (ticket subjects)", "投诉（工单标题）"),
    "cdim_all": ("Centre", "全中心"),
    "cdim_queue": ("Queue", "队列"),
    "cdim_team": ("Team", "团队"),
    "cdim_channel": ("Channel", "渠道"),
    "cdim_issue_type": ("Issue type", "问题类型"),
    "cdim_service_level": ("Wait", "等待"),
    "cdim_repeat_contact": ("Contact", "联络"),
    "cdim_transfer": ("Transfer", "转接"),
    "cdim_resolution": ("Resolution", "解决"),
    "cval_within_target": ("within the service-level target", "在服务水平目标内"),
    "cval_outside_target": ("beyond the service-level target", "超出服务水平目标"),
    "cval_short_abandon": ("short abandon", "短时放弃"),
    "cval_repeat": ("repeat contact", "重复联络"),
    "cval_first": ("first contact", "首次联络"),
    "cval_unknown_customer": ("unknown customer", "未知客户"),
    "cval_transferred": ("transferred", "已转接"),
    "cval_not_transferred": ("not transferred", "未转接"),
    "cval_not_answered": ("not answered", "未接通"),
    "cval_resolved": ("resolved", "已解决"),
    "cval_unresolved": ("unresolved", "未解决"),
    "cval_none": ("none", "无"),
    "check": ("Check", "检查项"),
    "rows_affected": ("Rows affected", "受影响行数"),
    "files_affected": ("Files affected", "受影响文件数"),
    "rows_landed": ("Rows landed", "导入行数"),
    "dq_caption": ("Last 7 days of data-quality results per check", "最近7天各检查项的数据质量结果"),
    "data_docs": ("Open the Data Docs (every expectation and its result)", "打开 Data Docs（全部校验规则及结果）"),
    "no_data_docs": ("No Data Docs were found for this run.", "本次运行没有找到 Data Docs。"),
    "dq_incomplete": ("Incomplete days: a source's file is missing or was refused; their KPIs are computed from "
                      "what landed", "不完整的日期：某数据源的文件缺失或被拒收；这些日期的 KPI 按已加载的数据计算"),
    "dq_complete": ("Every source landed its file on each of the last 7 days.", "最近7天每个数据源的文件均已加载。"),
}


def text(key: str, lang: str = "en") -> str:
    return LABELS[key][LANGS.index(lang)]


def span(key: str) -> str:
    """Both languages of a label as HTML; CSS shows the one of the page's current language."""
    en, zh = LABELS[key]
    return f'<span class="lang-en">{escape(en)}</span><span class="lang-zh">{escape(zh)}</span>'


def pair(en: str, zh: str) -> str:
    """Both languages of a data value (e.g. an issue type's two labels)."""
    return f'<span class="lang-en">{escape(en)}</span><span class="lang-zh">{escape(zh)}</span>'


def chart_translations(extra: dict[str, str] | None = None) -> dict[str, str]:
    """English -> Chinese for every text a chart may draw."""
    table = {en: zh for en, zh in LABELS.values()}
    table.update(extra or {})
    return table
