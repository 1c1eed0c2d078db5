#!/usr/bin/env python3
"""Mine the A市 gazetteer (models/gazetteer-a-city.json) from the shared appeal messages.

Usage: python3 models/tools/mine_gazetteer.py [DATA_DIR] > models/gazetteer-a-city.json
DATA_DIR defaults to ../shared/data/appeals beside the repository. Only derived place names are written
(never message text). Deterministic: the same data gives the same file.

Method (see docs/classifier.md): candidate names are the runs of Han characters (and Latin letters/digits inside estate names)
ending in a place suffix (街道 or 镇, 社区 or 村, 路/街/大道, 小区/花园/苑/…); a leading function word or
administrative prefix is trimmed; a name is kept when it occurs in at least MIN_MESSAGES different messages.
a name whose body is mostly used elsewhere (its body is followed by the suffix in < 50 % of its
occurrences for a two-character body, < 30 % otherwise; < 10 % for streets and communities) is dropped as a common word ("一旦小区", "国际新城").
A name only one user wrote (in resent copies of one message) is dropped when it looks like a phrase: a body of six
or more characters, or another name with words in front ("除德馨园小区").
A street, community, estate or road is given a district when, among the messages that mention it together
with exactly one district, one district holds at least 60 % (and 2) of them.
"""
import csv, json, os, re, sys, collections

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '..', '..', '..', 'shared', 'data', 'appeals')
FILES = ['appeals-train-raw.csv', 'hotspot-corpus.csv', 'replies.csv']
MIN_MESSAGES = 2
# ... written by at least this many different users: a phrase one citizen repeats in resent messages is not a name.
MIN_WRITERS = 2

DISTRICTS = ['A1区', 'A2区', 'A3区', 'A4区', 'A5区', 'A6区', 'A7县', 'A8县', 'A9市']
DISTRICT_RE = re.compile(r'A[1-9][区县市]')
HAN = r'\u4e00-\u9fff'
# Leading characters/words that are not part of a name.
PREFIX_TRIM = re.compile(r'^(?:.*?(?:A\d+[区县市]|[A-Z]\d*市|[A-Z]\d*县|[A-Z]\d*区|市|省|县|区))?'
                         r'(?:位于|地处|坐落在|座落在|就在|我们|我家|本人|我是|住在|家住|居住在|在|于|至|到|从|和|与|及|对|把|被|向|往|是|的|了|近|旁|原|由|经|沿)*')
BAD_CHARS = set('的了是在和与及我你他她它们这那个些有无不也都很就还要被把对向从到于个条号栋楼层单元室期间时年月日')
GENERIC = {'小区', '社区', '街道', '花园', '公寓', '广场', '大道', '马路', '道路', '公路', '新城', '家园', '新村', '该小区', '本小区', '我们小区',
           '整个小区', '这个小区', '老小区', '各小区', '周边小区', '附近小区', '安置小区', '居民小区', '住宅小区', '商品房小区', '老旧小区',
           '一条路', '这条路', '那条路', '此路', '该路', '本社区', '该社区', '各社区', '城市道路', '高速公路', '人行道', '机动车道', '非机动车道',
           '十字路', '丁字路', '水泥路', '柏油路', '沥青路', '断头路', '小路', '大路', '主路', '辅路', '支路', '岔路', '山路', '公园路'}

# 村 before these is a word of its own (村民, 村庄, 村干部, 村委, 村支书, 村组, 村上, 村部, 村里 …), and what precedes it
# ("历任", "找") is rarely a village's name. After a numeral, 村 ends an estate's name (泰华一村).
NOT_AFTER_VILLAGE = '民庄落干委支书两组级务主长集上部镇领里名'
KINDS = {
    # A town (镇) is a street's rural peer, a village (村) a community's; 新村 is an estate.
    # A township (乡) too, where 乡 is no part of a word (乡村, 乡镇, 乡亲; 城乡, 家乡, 返乡, 老乡, 县乡 …).
    'street': re.compile(r'([%sA-Za-z0-9]{2,6}(?:街道|镇(?![定压痛静守])|(?<![城家返回思下同老他异故本各个的们在全该此我县市区和或等族之归八])乡(?![村镇亲下土音愁里间情邻民])))' % HAN),   # not 镇压, 镇定, 镇痛 …
    'community': re.compile(r'([%s]{2,6}(?:社区|(?<![新一二三四五六七八九十])村(?![%s])))' % (HAN, NOT_AFTER_VILLAGE)),
    'road': re.compile(r'([%s]{2,6}(?:大道|路|街)(?:[东西南北中]段|[东西南北]路)?)' % HAN),
    'estate': re.compile(r'([%sA-Za-z0-9·]{2,9}(?:小区|花园|家园|新村|新城|山庄|公寓|华庭|华府|公馆|名苑|雅苑|花苑|嘉园|佳园|景苑|城市广场|苑|园))' % HAN),
}

STOP = set('道处镇乡村市省区县各而的了是在和与及我你他她它们这那个些有无不也都很就还要被把对向从到于条号栋楼层单元室期间时年月日为让给由经沿离近旁往至其中包括据悉因该此每该过请将等')
SUFFIX = re.compile(r'(街道|社区|大道|[东西南北中]段|[东西南北]路|路|街|小区|花园|家园|新村|新城|山庄|公寓|华庭|华府|公馆|名苑|雅苑|花苑|嘉园|佳园|景苑|城市广场|苑|园|镇|乡|村)$')
COMMON_ENDINGS = ('线路', '道路', '铁路', '公路', '马路', '电路', '网路', '思路', '出路', '套路', '门路', '水路', '陆路', '进路',
                  '幼儿园', '入园', '开园', '校园', '跑路', '之路', '本小区', '各小区', '普惠园', '公立园', '民办园', '造园', '养路', '生路', '之心路', '隐患路', '出行路', '线辅路', '满大街', '毛路', '几里路', '两段路', '商业街', '步行街', '小吃街', '一条街', '老街', '后路', '退路', '来路', '走路', '修路', '去路', '上路', '半路', '引路', '迷路', '带路', '让路', '管道路',
                  '城镇', '乡镇', '集镇', '街镇', '重镇', '名镇', '农村', '乡村', '山村', '渔村', '城中村', '自然村', '行政村', '贫困村',
                  '示范村', '重点村', '试点村', '文明村', '特色村', '空心村', '生态村', '小康村')

# Words that start many false candidates ("严重影响社区", "进出小区"): a body starting with one is rejected.
NOISE_STARTS = ('之前', '严重', '影响', '明显', '什么', '创建', '知名', '觉得', '毁坏', '规定', '早已', '进出', '绕着', '造成', '改造',
                '分流', '十分', '人员', '入学', '主干', '百米', '一名', '繁华', '希望', '政府', '或者', '只留', '当地', '曝光', '促进',
                '整个', '周边', '附近', '所在', '各个', '所有', '现在', '目前', '以前', '我们', '他们', '你们', '大家', '一个', '一些',
                '相关', '有关', '部分', '很多', '许多', '其他', '其它', '多个', '两个', '几个', '管理', '物业', '业主', '居民', '开发',
                '建设', '新建', '在建', '老旧', '安置', '购买', '买了', '入住', '进入', '离开', '经过', '通过', '导致', '发现', '要求',
                '没有', '不能', '不是', '已经', '正在', '还是', '如果', '因为', '所以', '但是', '而且', '并且', '同时', '然后', '甚至',
                '改变', '决定', '以确保', '迟迟', '能够', '严格', '仅仅', '主动', '左转', '拉通', '排入', '随着', '诸多', '狭小',
                '标志', '彻底', '打造', '安装', '多安装', '多打造', '再主动', '路停', '路避开', '流落',
                '直接', '解决', '负责', '终止', '约定', '越权', '困扰', '拟减少', '想着', '并尽快', '委托', '小孩', '开办',
                '开放性', '共同', '现属', '称比', '法出卖', '特事特办', '综上所述', '续开始', '级政府', '回复', '回购', '医院',
                '部门', '筹备', '馆导致', '垃圾', '外几', '业委会', '入读', '或学校', '商业变', '擅自',
                '建议', '督促', '立即', '但咨询', '再三', '多次', '刚出')

# A kind of facility, not a name: "湿地公园", "动物园", "幼稚园", "万亩茶园" (a park's own name has a proper body:
# "洋湖湿地公园", "星沙文化公园").
GENERIC_FACILITY = re.compile(r'^(?:生态|万亩)?(?:主题|休闲|体育|文化|森林|湿地|生态|水上|儿童|考古|考古遗址|遗址|动物|植物|幼稚|果|茶|'
                              r'柑桔|环保科技|科技|软件|工业|产业|创业发展)(?:公园|乐园|园)$')

COUNT_OF_PEOPLE = re.compile(r'\d+名')


# As in PlaceRecognizer: 中 is part of road names (人民中路, 中山路) and starts other names (中海国际社区) unless it ends a
# word (其中, 集中, 施工中); 月 and 元 stop a name only after a numeral
# ("8月起", "两千万元"), and are part of names elsewhere (月亮岛路, 开元路).
ROAD_SUFFIX = re.compile(r'(大道|路|街|[东西南北中]段)$')
ZHONG_WORDS = set('其之途集空心期当正')   # 其中, 之中, 途中, 集中, …: 中 ends a word, not part of the road
NUMERALS = set('0123456789０１２３４５６７８９零〇一二三四五六七八九十百千万两几半')

def stops(text, i, road):
    """True when the character at `i` of `text` cannot be inside a name (`road`: the name ends like a road)."""
    ch = text[i]
    if ch == '中':
        prev = text[i - 1] if i > 0 else ''
        if prev in ZHONG_WORDS:
            return True
        # Inside a road's name (人民中路); else only at the start of one (中海国际社区, 中国铁建国际城), not 施工中小区.
        return not road and '\u4e00' <= prev <= '\u9fff' and prev not in STOP
    if ch in '月元':
        return i > 0 and text[i - 1] in NUMERALS
    return ch in STOP

def body_len(name):
    m = SUFFIX.search(name)
    return len(name) - (m.end() - m.start()) if m else len(name)

def suffixes(match):
    """Suffixes of a regex match that could be a name: body >= 2 characters, no stop character inside."""
    m = SUFFIX.search(match)
    if not m:
        return []
    out = []
    road = bool(ROAD_SUFFIX.search(match))
    for i in range(m.start() - 1, -1, -1):
        ch = match[i]
        if stops(match, i, road) or not re.match(r'[\u4e00-\u9fffA-Za-z0-9]', ch):
            break
        if m.start() - i >= 2:
            out.append(match[i:])
    return out   # shortest first

def ok(name, kind):
    if name in GENERIC or len(name) < 3 or name.endswith(COMMON_ENDINGS):
        return False
    if len(name) == 3 and name.endswith(('公园', '乐园')):   # a fragment of a longer name ("化公园", "湖公园")
        return False
    if GENERIC_FACILITY.match(name):
        return False
    m = SUFFIX.search(name)
    body = name[:m.start()] if m else name
    if COUNT_OF_PEOPLE.search(body):   # "27名小区", "0名学龄前儿童计算小区": a count of people, not a name
        return False
    road = bool(ROAD_SUFFIX.search(name))
    return not any(stops(body, i, road) for i in range(len(body))) and not body.startswith(NOISE_STARTS)

def main():
    counts = collections.defaultdict(set)          # suffix -> message keys (pass 1)
    messages = []
    seen_texts = set()
    for f in FILES:
        path = os.path.join(DATA, f)
        if not os.path.exists(path):
            continue
        for row in csv.DictReader(open(path, encoding='utf-8-sig')):
            text = (row.get('title') or '') + '。' + (row.get('detail') or '')
            key = re.sub(r'\s', '', text)     # the same message in two files counts once
            if key in seen_texts:
                continue
            seen_texts.add(key)
            messages.append((key, text, row.get('user') or ''))
            for kind, rx in KINDS.items():
                for m in rx.findall(text):
                    for suf in suffixes(m):
                        counts[suf].add(key)
    def resolve(match):
        sufs = suffixes(match)
        if not sufs:
            return None
        best = sufs[0]
        for longer in sufs[1:]:
            if len(counts[longer]) * 2 >= len(counts[best]) and len(counts[longer]) >= MIN_MESSAGES:
                best = longer
            else:
                break
        return best
    seen = collections.defaultdict(set)            # (kind, name) -> message keys
    writers = collections.defaultdict(set)         # (kind, name) -> users who wrote it
    district_votes = collections.defaultdict(collections.Counter)
    for key, text, user in messages:
        districts = set(DISTRICT_RE.findall(text))
        for kind, rx in KINDS.items():
            for raw in rx.findall(text):
                name = resolve(raw)
                if name is None or not ok(name, kind):
                    continue
                writers[(kind, name)].add(user or key)
                if key in seen[(kind, name)]:
                    continue
                seen[(kind, name)].add(key)
                if len(districts) == 1:
                    district_votes[(kind, name)][next(iter(districts))] += 1
    # Boundness: a real name's body is mostly followed by a place suffix; "一旦小区" or "国际新城" fail
    # because "一旦" and "国际" occur everywhere else.
    corpus = '\n'.join(text for _, text, _ in messages)
    def bound(name, kind):
        m = SUFFIX.search(name)
        body = name[:m.start()] if m else name
        share = corpus.count(name) / max(1, corpus.count(body))
        if kind in ('street', 'community'):     # strong suffixes: an area name used alone is still a name
            return share >= 0.1
        return share >= (0.5 if len(body) <= 2 else 0.3)
    # A name only one citizen wrote (in resent copies of one message) is kept unless it looks like a phrase: a
    # body of six or more characters, or another candidate name with words in front ("除德馨园小区").
    candidates = {name for (kind, name), keys in seen.items() if len(keys) >= MIN_MESSAGES}
    def lone_phrase(kind, name):
        if len(writers[(kind, name)]) >= MIN_WRITERS:
            return False
        return body_len(name) >= 6 or any(other != name and name.endswith(other) and len(writers[(k, other)]) >= MIN_WRITERS
                                          for other in candidates for k in KINDS)
    accepted = {(kind, name) for (kind, name), keys in seen.items()
                if len(keys) >= MIN_MESSAGES and bound(name, kind) and not lone_phrase(kind, name)}
    # A name that is another accepted name of its kind with one or two characters in front, written by no more
    # people ("起福满新城", "求红墅湾小区", "星沙东业苹果社区"), is left out: the recogniser finds the shorter name
    # inside it, so both spellings give one place.
    def prefixed_variant(kind, name):
        return any(other != name and name.endswith(other) and 1 <= len(name) - len(other) <= 2
                   and len(writers[(kind, other)]) >= len(writers[(kind, name)])
                   for (k, other) in accepted if k == kind)
    places = []
    names_taken = set()
    order = {'street': 0, 'community': 1, 'estate': 2, 'road': 3}
    for (kind, name), keys in sorted(seen.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
        if (kind, name) not in accepted or name in names_taken or prefixed_variant(kind, name):
            continue
        names_taken.add(name)
        entry = {'name': name, 'kind': kind}
        votes = district_votes[(kind, name)]
        total = sum(votes.values())
        if total:
            d, n = votes.most_common(1)[0]
            if n >= 2 and n / total >= 0.6:
                entry['district'] = d
        aliases = []
        if kind == 'estate' and name.endswith('小区') and len(name) >= 4:
            aliases.append(name[:-2])
        if kind == 'street' and name.endswith('街道') and len(name) >= 5:
            aliases.append(name[:-2] + '街办')
        if aliases:
            entry['aliases'] = aliases
        places.append(entry)
    doc = {
        'version': 1,
        'city': 'A市',
        'source': 'mined from ../shared/data/appeals (%s) by models/tools/mine_gazetteer.py; names only' % ', '.join(FILES),
        'districts': [{'name': d, 'aliases': ([d[:2] + '区'] if not d.endswith('区') else [])} for d in DISTRICTS],
        'places': places,
    }
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=0, sort_keys=False)
    sys.stdout.write('\n')

if __name__ == '__main__':
    main()
