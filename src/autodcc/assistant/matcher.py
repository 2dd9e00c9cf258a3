"""Chinese question matching for the FAQ assistant: jieba segmentation, a synonym list for car
terms, BM25 ranking (bm25s) and a confidence below which the assistant offers a person.

Pure code over plain values: :class:`Index` is built from ``(entry id, [wordings])`` pairs, so
tests and the benchmark build it from the shipped bank without a database. The per-process index
of the live bank (rebuilt when the bank changes) is in :mod:`autodcc.assistant.bank`.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import bm25s
import jieba

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index it builds

# alias → the one word the index uses; the bank and every question are normalised alike
SYNONYMS: dict[str, tuple[str, ...]] = {
    "续航": ("续航里程", "里程", "跑多远", "能跑多少"),
    "落地价": ("全款价", "落地价格", "落地", "上路价", "全部费用", "一共要多少", "总共要花", "全下来", "连税带保险"),
    "试驾": ("试乘试驾", "体验", "试乘", "试开", "试车", "试一下车"),
    "订金": ("定金", "意向金", "订钱", "预付款"),
    "充电": ("充电桩", "充电站", "充电器", "电桩", "充电枪"),
    "经销商": ("4s店", "４s店", "专营店", "门店", "网点", "店面"),
    "保养": ("维保", "养护", "保养维护"),
    "质保": ("保修", "包修", "保修期", "质保期"),
    "贷款": ("车贷", "分期付款", "分期", "按揭", "金融方案"),
    "首付": ("首期", "首付款"),
    "月供": ("每月还", "每个月还", "月还款", "一个月还"),
    "退款": ("退钱", "退还", "退回来", "钱退", "退回"),
    "提车": ("交车", "交付", "拿车", "取车", "拿到车"),
    "上牌": ("挂牌", "上牌照", "办牌照", "办车牌"),
    "车牌": ("牌照", "号牌"),
    "价格": ("价钱", "售价", "报价"),
    "优惠": ("折扣", "便宜", "让利", "打折"),
    "电池": ("电芯", "电瓶", "动力电池"),
    "交强险": ("强制险", "交强"),
    "插混": ("插电混动", "插电式混合动力", "phev", "插电混合"),
    "增程": ("增程式", "erev", "增程器"),
    "纯电": ("纯电动", "电动车", "电动汽车", "电车", "bev"),
    "手机号": ("电话号码", "手机号码"),
    "怎么": ("如何", "怎样", "咋"),
    "多久": ("多长时间", "多少天", "几天"),
    "什么时候": ("何时", "啥时候", "哪天"),
    "可以": ("能不能", "能否", "可不可以", "行不行", "允许"),
    "七座": ("7座", "七人座", "7人座"),
    "六座": ("6座", "六人座", "6人座"),
    "多少钱": ("啥价", "什么价", "几多钱", "多少米"),
    "辅助驾驶": ("自动驾驶", "智能驾驶", "智驾"),
    "其他经销商": ("别的店", "其他店", "其它店", "外地的店", "别家店"),
    "收费": ("要钱", "交钱", "收钱", "付费", "花钱", "要不要钱", "收不收费"),
    "改期": ("改时间", "换时间", "换一天", "改天", "改个时间", "换个时间", "改约"),
    "不想买": ("后悔", "不要了", "不买了", "反悔"),
    "推荐": ("建议", "推介"),
    "提醒": ("通知",),
    "车型": ("车系", "车款"),
    "哪些": ("几个", "哪几款", "哪几个", "几款", "几种"),
    "旧车": ("老车", "二手车"),
    "线上": ("商城", "官网", "网上", "在线", "网页"),
    "下单": ("订车", "预订", "下订单"),
    "办": ("办理",),
    "费用": ("花多少", "花费", "开销"),
    "区别": ("一回事", "一个意思", "不一样", "差别", "差异", "不同"),
    "元": ("块钱", "块"),
    "购置税": ("购置费", "购车税"),
    "临牌": ("临时牌照", "临时号牌", "临时车牌"),
}

# words jieba must keep whole (car terms, the brand's models, other brands)
WORDS = (
    "落地价", "意向金", "订金", "定金", "充电桩", "购置税", "交强险", "商业险", "三者险", "车损险", "试驾", "首付",
    "月供", "尾款", "车船税", "上牌", "临牌", "绿牌", "蓝牌", "增程", "插混", "纯电", "续航", "快充", "慢充", "保养",
    "首保", "质保", "延保", "召回", "提车", "交车", "送车上门", "置换", "零首付", "等额本息", "等额本金", "对外放电",
    "辅助驾驶", "特别版", "精品包", "经销商", "指导价", "优惠价", "年化利率", "手续费", "道路救援", "胎压",
    "后备箱", "七座", "六座", "退款", "到账", "试驾报告", "交车礼", "充电券", "车机", "保费", "车贷",
    "澜川", "特斯拉", "比亚迪", "蔚来", "小鹏", "理想", "问界", "小米", "极氪", "宝马", "奔驰", "奥迪", "丰田", "大众",
)

STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 嘛 哦 哈 么 啦 喔 呐 我 我们 你 你们 您 他 她 它 请问 想问 问 一下 这个 那个 就 都 还 也 和 与 跟 "
    "是 在 要 会 又 得 地 着 过 把 被 给 让 对 个 请 下 想 知道 咨询 问问 谢谢 您好 你好 麻烦 大概 具体 到底 现在 一台 一个 一款 "
    "这 那 这车 这个车 啥 能 吗 呗 一下子 那么 这么 直接 其实 真的 一般".split()
)
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)

# the words themselves too, longest first: "落地价" stays itself instead of "落地" + "价"
_ALIASES = sorted({**{w: w for w in SYNONYMS}, **{a: w for w, aliases in SYNONYMS.items() for a in aliases}}.items(),
                  key=lambda pair: -len(pair[0]))
_ALIAS_RE = re.compile("|".join(re.escape(a) for a, _w in _ALIASES))
_ALIAS_TO = dict(_ALIASES)

ANSWER_WEIGHT = 0.3  # how much an entry's answer (and all its wordings at once) adds to its best wording's score
ANSWER_COVER = 0.5  # a question's word found only in an entry's answer covers half its weight

_tokenizer: jieba.Tokenizer | None = None
_tokenizer_lock = threading.Lock()


def _jieba() -> jieba.Tokenizer:
    """A tokenizer of our own (the global one stays as other code left it), built once."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                for word in (*WORDS, *SYNONYMS):
                    tk.add_word(word, freq=200000)
                _tokenizer = tk
    return _tokenizer


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, every alias replaced by its word."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _ALIAS_RE.sub(lambda m: _ALIAS_TO[m.group(0)], text)


def tokens(text: str) -> list[str]:
    """The words of a question that count: segmented, without particles and punctuation."""
    out: list[str] = []
    for word in _jieba().lcut_for_search(normalise(text)):
        word = _PUNCT.sub("", word)
        if word and word not in STOPWORDS:
            out.append(word)
    return out


def weight(word: str) -> float:
    """How much a word says about what is asked: rare in Chinese at large (jieba's dictionary
    frequencies) means specific (购置税, 天气预报); common means a question's glue (怎么, 多少)."""
    if word in _DOMAIN:  # our own terms were added with a made-up frequency: specific by definition
        return _MAX_WEIGHT
    if word in _GLUE:
        return _GLUE_WEIGHT
    tk = _jieba()
    freq = tk.FREQ.get(word) or 0
    if not freq:  # not a word jieba knows (a stray segment, a number): middling
        return _UNKNOWN_WEIGHT
    return min(math.log(tk.total / freq), _MAX_WEIGHT)


# the synonym groups that normalise how people ask (not what they ask about)
_GLUE = frozenset({"怎么", "多久", "什么时候", "可以", "多少钱", "多少", "什么", "哪里", "哪", "哪个", "怎么样", "为什么",
                   "几", "有没有", "是不是", "不是", "还是", "好", "有", "去", "买", "车", "没有", "需要", "用"})
_DOMAIN = frozenset((*WORDS, *SYNONYMS)) - _GLUE
_MAX_WEIGHT = 16.0
_GLUE_WEIGHT = 6.0
_UNKNOWN_WEIGHT = 10.0


def key(text: str) -> str:
    """A question's wording reduced to its words (two askings of one question share a key)."""
    return "".join(tokens(text))[:200] or normalise(text).strip()[:200]


@dataclass(frozen=True)
class Match:
    entry_id: int
    score: float
    confidence: float


class Index:
    """BM25 over every wording of every entry; an entry's score is its best wording's."""

    def __init__(self, entries: Iterable[tuple[int, Sequence[str], str]], *, k1: float = 1.2, b: float = 0.6,
                 answer_weight: float = ANSWER_WEIGHT) -> None:
        """``entries``: (entry id, its wordings, its answer). The answer counts too, less than the
        wordings: a consumer often asks in the answer's words ("意向金" for "订金")."""
        self.doc_entry: list[int] = []
        self.doc_words: list[set[str]] = []
        corpus: list[list[str]] = []
        self.entry_words: dict[int, set[str]] = {}
        self.answer_words: dict[int, set[str]] = {}
        whole: list[list[str]] = []
        self.answer_weight = answer_weight
        for entry_id, wordings, answer in entries:
            words = self.entry_words.setdefault(entry_id, set())
            for wording in wordings:
                toks = tokens(wording)
                if not toks:
                    continue
                corpus.append(toks)
                self.doc_words.append(set(toks))
                self.doc_entry.append(entry_id)
                words.update(toks)
            if words:
                answer_toks = tokens(answer)
                self.answer_words[entry_id] = set(answer_toks) - words
                whole.append([*sorted(words), *answer_toks])
        self.size = len(corpus)
        df: dict[str, int] = {}
        for doc in corpus:
            for word in set(doc):
                df[word] = df.get(word, 0) + 1
        n = max(self.size, 1)
        self.idf = {w: math.log(1 + (n - d + 0.5) / (d + 0.5)) for w, d in df.items()}
        self._vocab = frozenset(self.idf)
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)  # a word no wording has: as rare as can be
        self._entry_ids = sorted(set(self.doc_entry))
        self._entry_pos = {e: i for i, e in enumerate(self._entry_ids)}
        import numpy as np

        self._doc_pos = np.array([self._entry_pos[e] for e in self.doc_entry], dtype=np.int64)
        self._bm25: bm25s.BM25 | None = None
        self._whole: bm25s.BM25 | None = None
        if corpus:
            self._bm25 = bm25s.BM25(k1=k1, b=b)
            self._bm25.index(corpus, show_progress=False)
            self._whole = bm25s.BM25(k1=k1, b=0.75)
            self._whole.index(whole, show_progress=False)  # one per entry, in the order of _entry_ids
        for words in self.answer_words.values():
            for word in words:
                self.idf.setdefault(word, self.unknown_idf * 0.8)

    def rank(self, question: str, *, limit: int = 3) -> list[Match]:
        """The best entries for ``question``, best first, each with its confidence (0–1): the share
        of the question's weight (IDF) that the entry's wordings cover."""
        import numpy as np

        words = list(dict.fromkeys(tokens(question)))
        if not words or self._bm25 is None:
            return []
        known = [w for w in words if w in self.idf]
        if not known:
            return []
        best = np.zeros(len(self._entry_ids), dtype=np.float64)
        content = [w for w in known if w not in _GLUE]
        # what is asked about counts twice as much as how it is asked (a word repeated scores twice)
        asked = [w for w in (*content, *known) if w in self._vocab]
        if asked:
            np.maximum.at(best, self._doc_pos, self._bm25.get_scores(asked))
        best += self.answer_weight * self._whole.get_scores([*content, *known])  # type: ignore[union-attr]
        order = np.argsort(-best)[:limit]
        total = sum(weight(w) for w in words)
        found: list[Match] = []
        for pos in order:
            score = float(best[pos])
            if score <= 0:
                break
            entry_id = self._entry_ids[int(pos)]
            entry_words, answer_words = self.entry_words[entry_id], self.answer_words[entry_id]
            if not any(w in entry_words and w not in _GLUE for w in known):
                found.append(Match(entry_id, score, 0.0))  # only question words in common: no answer
                continue
            covered = sum(weight(w) * (1.0 if w in entry_words else ANSWER_COVER)
                          for w in known if w in entry_words or w in answer_words)
            asked = set(words)
            back = max(sum(weight(w) for w in doc & asked) / (sum(weight(w) for w in doc) or 1.0)
                       for doc, e in zip(self.doc_words, self.doc_entry, strict=True) if e == entry_id)
            found.append(Match(entry_id, score, round(math.sqrt(covered / total * back), 4) if total else 0.0))
        return found
