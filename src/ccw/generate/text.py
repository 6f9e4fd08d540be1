"""Words the sample uses: names, ticket subjects and bodies, chat pages, survey comments (zh/en)."""

from __future__ import annotations

import numpy as np

CN_SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
               ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
               ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
               ("高", "gao"), ("罗", "luo")]
CN_GIVEN = [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
            ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
            ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀英", "xiuying"),
            ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("桂英", "guiying"), ("婷", "ting"), ("浩", "hao")]
EN_FIRST = ["James", "Olivia", "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack", "Ivy",
            "Leo", "Lily", "Arthur", "Grace", "Muhammad", "Sophia", "Oscar", "Freya", "Charlie", "Emily", "Thomas",
            "Ella", "Henry", "Poppy", "William", "Chloe", "Alfie", "Ruby", "Priya", "Ahmed", "Zara", "Daniel"]
EN_LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
           "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
           "Khan", "Hughes", "Edwards", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris"]

CN_CITIES = ["Shanghai", "Beijing", "Shenzhen", "Guangzhou", "Hangzhou", "Chengdu", "Nanjing", "Wuhan", "Suzhou",
             "Xi'an"]
CN_REGIONS = {"Shanghai": "East China", "Beijing": "North China", "Shenzhen": "South China",
              "Guangzhou": "South China", "Hangzhou": "East China", "Chengdu": "West China", "Nanjing": "East China",
              "Wuhan": "Central China", "Suzhou": "East China", "Xi'an": "West China"}
INTL_CITIES = ["London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Bristol", "Dublin", "Paris", "Berlin",
               "Amsterdam"]
INTL_REGIONS = {"London": "UK South", "Manchester": "UK North", "Birmingham": "UK Midlands", "Leeds": "UK North",
                "Glasgow": "UK Scotland", "Bristol": "UK South", "Dublin": "Ireland", "Paris": "EU", "Berlin": "EU",
                "Amsterdam": "EU"}
SEGMENTS = ["consumer", "premium", "business"]
SEGMENT_P = [0.72, 0.18, 0.10]
SIGNUP_SOURCES = ["web", "app", "store", "referral", "marketplace"]
SIGNUP_P = [0.38, 0.32, 0.12, 0.08, 0.10]
EMAIL_DOMAINS = ["example.com", "example.net", "example.org", "mail.example.cn"]

SUBJECTS = {
    "billing_question": ("Question about my invoice", "关于账单的问题"),
    "refund_request": ("Refund request for order", "申请退款"),
    "payment_failed": ("Payment failed at checkout", "支付失败"),
    "order_status": ("Where is my order?", "订单状态查询"),
    "delivery_delay": ("Delivery is late", "配送延迟"),
    "return_exchange": ("Return / exchange request", "退换货申请"),
    "account_access": ("Cannot log in to my account", "无法登录账户"),
    "account_update": ("Please update my account details", "修改账户信息"),
    "product_question": ("Question about a product", "产品咨询"),
    "technical_issue": ("App keeps crashing", "应用闪退"),
    "complaint": ("Complaint about service", "服务投诉"),
    "other": ("General enquiry", "其他问题"),
}
CUSTOMER_BODIES = (
    ("Hello, could you please help me with this? Order {n}.", "你好，请帮我处理一下，订单号 {n}。"),
    ("I contacted you before and it is still not solved.", "我之前联系过你们，问题还没有解决。"),
    ("Thanks for the reply, here are the details you asked for.", "谢谢回复，这是你们要的信息。"),
    ("Any update on this please?", "请问有进展吗？"),
)
AGENT_REPLIES = (
    ("Thank you for contacting us. I have checked your account and fixed the issue.",
     "感谢您的来信，我已经查看了您的账户并处理了问题。"),
    ("Could you please send us your order number and a screenshot?", "请提供订单号和截图，谢谢。"),
    ("We have escalated this to the specialist team and will update you shortly.", "已转交专业团队处理，稍后回复您。"),
    ("Your refund has been issued and should arrive in 3-5 working days.", "退款已发起，预计3-5个工作日到账。"),
)
INTERNAL_NOTES = ("Checked order history, customer is eligible.", "Escalated to tier 2, see linked case.",
                  "Called customer, no answer.", "Duplicate of an earlier request.")

PAGES = ["https://shop.example.com/", "https://shop.example.com/orders", "https://shop.example.com/help/returns",
         "https://shop.example.com/help/payment", "https://shop.example.com/account", "https://shop.example.com/cart",
         "https://shop.example.com/product/12345"]
PAGES_P = [0.18, 0.24, 0.16, 0.12, 0.12, 0.10, 0.08]
REFERRERS = ["https://www.google.com/", "https://www.baidu.com/", "https://mail.example.com/", None,
             "https://m.example.com/app"]
REFERRERS_P = [0.30, 0.18, 0.12, 0.32, 0.08]
UTM = ["google", "baidu", "newsletter", "wechat", "affiliate", None]
UTM_P = [0.22, 0.14, 0.12, 0.10, 0.05, 0.37]
DEVICES = ["desktop", "mobile", "tablet"]
DEVICES_P = [0.48, 0.44, 0.08]

SURVEY_COMMENTS = {
    "en": {
        "pos": ["Quick and friendly, thank you!", "Problem solved on the first call.", "Very helpful agent.",
                "Great service, sorted in minutes."],
        "neu": ["It was ok.", "Took a while but fine in the end.", "Average experience."],
        "neg": ["Waited far too long.", "I was transferred three times and nothing was solved.",
                "Still not resolved, very disappointed.", "The agent did not understand my problem."],
    },
    "zh": {
        "pos": ["客服很耐心，问题很快解决了，谢谢！", "服务很好，一次就解决了。", "态度非常好，点赞。",
                "处理速度快，很满意。"],
        "neu": ["还可以。", "等了一会儿，不过最后解决了。", "一般般吧。"],
        "neg": ["等待时间太长了。", "转了好几次电话，问题还是没有解决。", "问题一直没有解决，非常失望。",
                "客服没有理解我的问题。"],
    },
}


def pick(rng: np.random.Generator, items: list | tuple, n: int,
         p: list[float] | None = None) -> np.ndarray:
    arr = np.array(items, dtype=object)
    return arr[rng.choice(len(arr), size=n, p=p)]


def lookup(mapping: dict, keys: np.ndarray, default: object = None) -> np.ndarray:
    """Vectorised ``mapping[key]`` (object array), via the few distinct keys."""
    keys = np.asarray(keys, dtype=object)
    if not len(keys):
        return np.zeros(0, dtype=object)
    uniq, inv = np.unique(keys.astype(str), return_inverse=True)
    vals = np.empty(len(uniq), dtype=object)
    vals[:] = [mapping.get(u, default) for u in uniq]
    return vals[inv]


def fill_template(templates: np.ndarray, values: np.ndarray, marker: str = "{n}") -> np.ndarray:
    """Per-row ``template.replace(marker, value)`` without a Python loop over rows."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = pa.array(np.asarray(templates, dtype=object), pa.string())
    parts = pc.split_pattern(t, marker, max_splits=1)
    head = pc.list_element(parts, 0)
    has = pc.greater(pc.list_value_length(parts), 1)
    tail = pc.if_else(has, pc.list_element(pc.if_else(has, parts, pa.array([["", ""]] * len(t))), 1), "")
    mid = pc.if_else(has, pa.array(np.asarray(values, dtype=object), pa.string()), "")
    return np.asarray(pc.binary_join_element_wise(head, mid, tail, "").to_numpy(zero_copy_only=False), dtype=object)
