"""Every way a student's text reaches the report, with text no writer can take as is."""

HOSTILE = ("lone \ud800 surrogate \udfff, NUL \x00, ANSI \x1b[31mred\x1b[0m \x1b]0;title\x07, "
           "RTL \u202egnp.exe\u202c, CR \r, <script>alert(1)</script> ]]> | `code` "
           + "x" * 1_000_000)


class Loud(ValueError):
    def __str__(self):
        return HOSTILE


def entropy(p, base=None):
    print(HOSTILE)
    raise Loud()


def cross_entropy(p, q, base=None):
    return HOSTILE


def kl_divergence(p, q, base=None):
    return {HOSTILE: [HOSTILE]}
