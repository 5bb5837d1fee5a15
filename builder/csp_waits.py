"""Playwright's page.wait_for_function under the page's Content-Security-Policy (no eval).

Given a bare expression ("window.x === 1"), Playwright checks it once through the DevTools
protocol, which CSP lets through, and then polls it with the page's own `eval`, which the policy
refuses: a wait that is not over at once fails with an EvalError (and the page reports a
violation). Given a function ("() => window.x === 1"), it evaluates the text once and then calls
the function, which needs no eval. install() makes every wait a function, with the meaning
Playwright gives a bare expression (its value, or, if that is a function, what it returns for
`arg`), so tests, screenshots and the benchmark keep writing plain expressions.
"""


def as_function(expression):
    """The text of a function that does what Playwright does with `expression` on each poll."""
    return ("(arg) => { const value = (\n%s\n); return typeof value === 'function' ? value(arg) : value; }"
            % expression.strip().rstrip(";"))


def install():
    from playwright.sync_api import Frame, Page
    for cls in (Page, Frame):
        if getattr(cls.wait_for_function, "as_function", False):
            continue
        plain = cls.wait_for_function

        def wait_for_function(self, expression, *args, _plain=plain, **kwargs):
            return _plain(self, as_function(expression), *args, **kwargs)

        wait_for_function.as_function = True
        cls.wait_for_function = wait_for_function
