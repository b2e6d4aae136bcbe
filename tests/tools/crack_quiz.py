# Copied unchanged (apart from this note) from the security review's attack scripts,
# reviews/security-tools/crack_quiz.py (issue 14, finding F1). tests/test_quiz_sealing.py runs it
# against freshly built pages: it must recover no more than chance would.
"""Recover graded order/match answers from the PUBLIC site alone (no server, no build/server/).

Two independent leaks:
 A) opaque ids = sha256(scope \x1f index \x1f text)[:10]; index = position in the correct order,
    scope = "<quiz id>/<question id>" - all three visible in the page.
 B) the page's order is random.Random("<quiz>/<q>/items|rights").shuffle(...) - a fixed,
    public permutation of positions: invert it.
"""
import hashlib, html, random, re, sys, json
from pathlib import Path

def opaque(prefix, *parts):
    return prefix + hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:10]

def perm_for(n, seed, derange):
    idx = list(range(n))
    if derange:
        rng = random.Random(seed)
        for _ in range(50):
            s = list(idx); rng.shuffle(s)
            if all(a != b for a, b in zip(s, idx)):
                return s
        return idx[1:] + idx[:1]
    s = list(idx); random.Random(seed).shuffle(s)
    if n > 1 and s == idx:
        s = s[1:] + s[:1]
    return s

def crack(page):
    text = Path(page).read_text()
    out = {}
    for quiz in re.finditer(r'<section class="quiz quiz-graded"[^>]*data-quiz="([^"]+)"(.*?)</section>', text, re.S):
        qz, body = quiz.group(1), quiz.group(2)
        for fs in re.finditer(r'<fieldset class="question question-(order|match)" data-question="([^"]+)"(.*?)</fieldset>', body, re.S):
            kind, qid, inner = fs.groups()
            scope = f"{qz}/{qid}"
            if kind == "order":
                shown = [(i, html.unescape(t).strip()) for i, t in re.findall(r'data-item="([^"]+)"[^>]*>.*?</select>\s*(.*?)</label>', inner, re.S)]
                n = len(shown)
                by_hash = {}
                for iid, t in shown:
                    for k in range(n):
                        if opaque("i", scope, k, t) == iid:
                            by_hash[k] = t
                perm = perm_for(n, f"{scope}/items", False)  # shown[j] = correct[perm[j]]
                by_shuffle = {perm[j]: shown[j][1] for j in range(n)}
                out[scope] = {"type": "order", "from_ids": [by_hash.get(k) for k in range(n)],
                              "from_shuffle": [by_shuffle[k] for k in range(n)]}
            else:
                lefts = [(i, html.unescape(t)) for t, i in re.findall(r'<span class="match-left">(.*?)</span>\s*<select name="[^"]+" data-left="([^"]+)"', inner, re.S)]
                sel = re.search(r'<select name="[^"]+" data-left="[^"]+">(.*?)</select>', inner, re.S).group(1)
                rights = [(i, html.unescape(t)) for i, t in re.findall(r'<option value="(r[0-9a-f]+)">(.*?)</option>', sel)]
                n = len(lefts)
                lk = {k: t for i, t in lefts for k in range(n) if opaque("l", scope, k, t) == i}
                rk = {k: t for i, t in rights for k in range(n) if opaque("r", scope, k, t) == i}
                perm = perm_for(n, f"{scope}/rights", True)
                rs = {perm[j]: rights[j][1] for j in range(n)}
                out[scope] = {"type": "match", "from_ids": {lk[k]: rk.get(k) for k in lk},
                              "from_shuffle": {lefts[k][1]: rs[k] for k in range(n)}}
    return out

if __name__ == "__main__":
    for page in sys.argv[1:]:
        for k, v in crack(page).items():
            print(page.split("/site/")[-1], k, json.dumps(v, ensure_ascii=False))
