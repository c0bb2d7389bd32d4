"""Small mutations of the student's own layer methods, to see whether their tests notice.

A mutant changes one spot of one method (a layer's ``forward``, or ``backward`` at the
backward stage) with one of these operators:

=============  =======================================================================
operator       change
=============  =======================================================================
arithmetic     ``+`` <-> ``-``, ``*`` <-> ``/``, ``**`` -> ``*``
augmented      ``+=`` <-> ``-=``, and ``+=`` -> ``=`` (a grad replaced, not added to)
comparison     ``>`` <-> ``>=``, ``<`` <-> ``<=``
negation       ``-x`` -> ``x``
number         ``0`` -> ``1``, ``1`` -> ``0``, any other number ``n`` -> ``n + 1``
transpose      ``W.T`` -> ``W``
flag           ``True`` <-> ``False`` (e.g. ``keepdim=True``)
reduction      ``.sum(...)`` <-> ``.mean(...)``, ``max`` <-> ``min``, ``amax`` <-> ``amin``
call removed   a statement that is only a call (``x.accumulate_grad(...)``) -> ``pass``
=============  =======================================================================

The mutated method is compiled from the student's source with its own globals and file
name, and replaces the class's method only inside the process of the pass that tests it.
Methods that are not plain functions of the class itself (inherited, decorated, using
``super()`` without arguments) are left alone. This is no maintained mutation library:
those rewrite files on disk and run a test command per mutant, while the worker patches a
method in a forked process; the operators above are the classic ones, kept few.
"""

import ast
import copy
import inspect
import textwrap

MAX_MUTANTS = 60

SWAPS = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.Pow: ast.Mult,
}
COMPARISONS = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt}
REDUCTIONS = {"sum": "mean", "mean": "sum", "max": "min", "min": "max", "amax": "amin",
              "amin": "amax"}
SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
           ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<="}


class Mutant:
    """One changed method: where, what changed, and the function that replaces it."""

    def __init__(self, owner, method, line, operator, change, function):
        self.owner = owner
        """The student's class whose method changes."""
        self.method = method
        self.line = line
        """The line of the student's file that changed."""
        self.operator = operator
        self.change = change
        """The change, in one short phrase: "`a + b` -> `a - b`"."""
        self.function = function

    @property
    def where(self) -> str:
        return f"{self.owner.__name__}.{self.method}, line {self.line}"

    def apply(self) -> None:
        setattr(self.owner, self.method, self.function)

    def describe(self) -> dict:
        return {"where": self.where, "operator": self.operator, "change": self.change,
                "file": self.function.__code__.co_filename.rsplit("/", 1)[-1]}


def _sites(tree):
    """Every spot of a function's body an operator can change: (node, operator, action)."""
    sites = []
    for node in (n for statement in tree.body[0].body for n in ast.walk(statement)):
        if isinstance(node, ast.BinOp) and type(node.op) in SWAPS:
            sites.append((node, "arithmetic", ("op", SWAPS[type(node.op)])))
        elif isinstance(node, ast.AugAssign) and type(node.op) in (ast.Add, ast.Sub):
            sites.append((node, "augmented", ("op", SWAPS[type(node.op)])))
            if isinstance(node.op, ast.Add):
                sites.append((node, "augmented", ("assign", None)))
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 \
                and type(node.ops[0]) in COMPARISONS:
            sites.append((node, "comparison", ("compare", COMPARISONS[type(node.ops[0])])))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            sites.append((node, "negation", ("unary", None)))
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
            value = {0: 1, 1: 0}.get(node.value, node.value + 1)
            sites.append((node, "number", ("value", type(node.value)(value))))
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            sites.append((node, "flag", ("value", not node.value)))
        elif isinstance(node, ast.Attribute) and node.attr == "T":
            sites.append((node, "transpose", ("transpose", None)))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in REDUCTIONS:
            sites.append((node, "reduction", ("rename", REDUCTIONS[node.func.attr])))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            sites.append((node, "call removed", ("remove", None)))
    return sites


class _Mutate(ast.NodeTransformer):
    """Change one site; ``before`` and ``after`` show it in the expression around it."""

    def __init__(self, target, action, context):
        self.target = target
        self.action = action
        self.context = context
        """For a number or flag, the call or subscript it sits in; else None."""
        self.before = _short(context) if context is not None else ""
        self.after = ""

    def visit(self, node):
        if node is not self.target:
            return self.generic_visit(node)
        kind, value = self.action
        if self.context is None:
            self.before = _short(node)
        if kind == "op":
            node.op = value()
        elif kind == "assign":
            node = ast.Assign(targets=[node.target], value=node.value, lineno=node.lineno)
        elif kind == "compare":
            node.ops = [value()]
        elif kind == "unary":
            node = node.operand
        elif kind == "value":
            node.value = value
        elif kind == "transpose":
            node = node.value
        elif kind == "rename":
            node.func.attr = value
        elif kind == "remove":
            node = ast.Pass(lineno=node.lineno)
        self.after = _short(self.context if self.context is not None else node)
        return node


def _context(tree, target):
    """The expression a constant sits in (a keyword's call, a subscript), to describe it."""
    if not isinstance(target, ast.Constant):
        return None
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    around = parents.get(target)
    if isinstance(around, ast.keyword):
        around = parents.get(around)
    return around if isinstance(around, ast.expr) else None


def _short(node) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


def _source_tree(function):
    """The function's source as a tree with the file's line numbers, or None."""
    if not inspect.isfunction(function) or function.__code__.co_freevars:
        return None
    try:
        lines, first = inspect.getsourcelines(function)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    definition = tree.body[0] if tree.body else None
    if not isinstance(definition, ast.FunctionDef) or definition.decorator_list:
        return None
    ast.increment_lineno(tree, first - 1)
    return tree


def method_mutants(owner, method) -> list:
    """Every mutant of ``owner.method`` (defined in ``owner`` itself), in source order."""
    function = owner.__dict__.get(method)
    tree = _source_tree(function)
    if tree is None:
        return []
    mutants = []
    for index in range(len(_sites(tree))):
        changed = copy.deepcopy(tree)
        target, operator, action = _sites(changed)[index]
        mutate = _Mutate(target, action, _context(changed, target))
        changed = ast.fix_missing_locations(mutate.visit(changed))
        try:
            code = compile(changed, function.__code__.co_filename, "exec")
        except (SyntaxError, ValueError):
            continue
        scope = {}
        exec(code, function.__globals__, scope)
        replacement = scope.get(function.__name__)
        if replacement is None:
            continue
        replacement.__qualname__ = function.__qualname__
        line = getattr(target, "lineno", tree.body[0].lineno)
        mutants.append(Mutant(owner, method, line, operator,
                              f"`{mutate.before}` -> `{mutate.after}`", replacement))
    return mutants


def mutants_of(library, kinds, methods, limit=MAX_MUTANTS) -> list:
    """Mutants of the student's ``methods`` of each class of ``kinds``, at most ``limit``.

    When there are more, every k-th one is kept, so that every method keeps some.
    """
    found = []
    for kind in kinds:
        try:
            owner = library.find_class(kind)
        except Exception:
            continue
        for method in methods:
            found += method_mutants(owner, method)
    if len(found) > limit:
        found = [found[int(i * len(found) / limit)] for i in range(limit)]
    return found
