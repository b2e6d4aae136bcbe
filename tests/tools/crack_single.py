# Copied from the security review's attack scripts, reviews/security-tools/crack_single.py
# (issue 14, finding F1); the same code, wrapped in crack_single(site, truth) so a test can call
# it and read its counts. tests/test_quiz_sealing.py runs it against freshly built pages.
"""Public HTML only: recover each graded single/multiple option's author index two ways, then guess index 0."""
import glob, html, json, re, sys
sys.path.insert(0, __import__('os').path.dirname(__file__))
from crack_quiz import opaque, perm_for
from pathlib import Path


def crack_single(site, truth):
    n = by_id = by_shuffle = right = 0
    for page in glob.glob(site + '/**/*.html', recursive=True):
        t = Path(page).read_text()
        for quiz in re.finditer(r'<section class="quiz quiz-graded"[^>]*data-quiz="([^"]+)"(.*?)</section>', t, re.S):
            qz = quiz.group(1)
            for fs in re.finditer(r'<fieldset class="question question-single" data-question="([^"]+)"(.*?)</fieldset>', quiz.group(2), re.S):
                qid, inner = fs.groups(); scope = f"{qz}/{qid}"
                shown = [(i, html.unescape(re.sub(r'<[^>]+>', '', s))) for i, s in re.findall(r'value="(o[0-9a-f]{10})"> <span>(.*?)</span>', inner, re.S)]
                k = len(shown); n += 1
                idx = {}
                for oid, text in shown:
                    for j in range(k):
                        if opaque('o', scope, j, text) == oid: idx[oid] = j
                by_id += len(idx) == k
                perm = perm_for(k, f"{scope}/options", False)   # shown[j] = author[perm[j]]
                guess = shown[perm.index(0)][0]                 # the option that was first in author order
                by_shuffle += (idx.get(guess, 0) == 0) if len(idx) == k else 0
                q = next(x for x in truth['quizzes'][qz]['questions'] if x['id'] == qid)
                right += next(o for o in q['options'] if o['id'] == guess)['correct']
    return {'questions': n, 'index_from_id': by_id, 'shuffle_inverted': by_shuffle, 'author_first_right': right}


if __name__ == "__main__":
    counts = crack_single(sys.argv[1], json.load(open(sys.argv[2])))
    print(f"single-choice graded: {counts['questions']}; every option's index recovered from its id: "
          f"{counts['index_from_id']}; shuffle inversion agrees: {counts['shuffle_inverted']}; "
          f"'pick author-first option' is right: {counts['author_first_right']}/{counts['questions']}")
