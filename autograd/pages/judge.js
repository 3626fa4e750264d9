/* How the practice page reads and judges an answer, as a teacher would.

   An answer is a number (plain or exponent notation: 0.786, -3.00, 1.50e-3) or arithmetic on numbers: + - * / **,
   unary minus, parentheses and the functions exp log sqrt sin cos tanh sigmoid relu abs. A small parser reads it
   into a tree and a walk over that tree computes it; nothing else is ever run (no eval, no Function).

   The rule (its constants come from the page's data: rule.minDigits, rule.exactRelative, rule.rtol, rule.atol):
   - a plain number given with k significant digits (from the first nonzero digit to the last digit written):
     k < minDigits asks for more digits (not wrong, not counted); else it is right within one unit of its last
     digit, |answer - true| <= 10^(position of the last digit);
   - arithmetic: k is the fewest significant digits among its literals that are not integers (integers are exact);
     with no such literal the value must match to a relative exactRelative; k < minDigits asks for more digits;
     else it is right when |answer - true| <= 10^(1 - k) * |answer|;
   - an explicit tolerance (rule.rtol and rule.atol both numbers) replaces all of this:
     right when |answer - true| <= atol + rtol * |true|.
   "inf", "-inf" and "nan" are read as those values and match only themselves. */
(function () {
  "use strict";
  const MAX_LENGTH = 1000;
  const MAX_DEPTH = 40;
  // one part in a billion of a unit: what float arithmetic may lose when an answer sits exactly one unit away
  const ROUNDING = 1e-9;
  const FUNCTIONS = new Map([
    ["exp", Math.exp], ["log", Math.log], ["sqrt", Math.sqrt], ["sin", Math.sin], ["cos", Math.cos],
    ["tanh", Math.tanh], ["abs", Math.abs],
    ["sigmoid", function (x) { return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)); }],
    ["relu", function (x) { return x > 0 ? x : 0; }]
  ]);
  const NUMBER = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/;
  const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
  const WORDS = new Map([["inf", Infinity], ["+inf", Infinity], ["infinity", Infinity], ["-inf", -Infinity],
    ["-infinity", -Infinity], ["nan", NaN]]);

  function ReadError(message) { this.message = message; }

  function tokenize(text) {
    const tokens = [];
    let at = 0;
    while (at < text.length) {
      const rest = text.slice(at);
      const ch = text[at];
      if (ch === " " || ch === "\t") { at += 1; continue; }
      let match = NUMBER.exec(rest);
      if (match && (/[0-9]/.test(ch) || (ch === "." && /[0-9]/.test(text[at + 1] || "")))) {
        const after = text[at + match[0].length] || "";
        if (after === ".") { throw new ReadError("a malformed number at " + (at + 1)); }
        if (after === ",") { throw new ReadError("a comma after a number: write decimals with a point (0.786)"); }
        if (/[A-Za-z_]/.test(after)) { throw new ReadError("a number followed by a name: write 2*x for a product"); }
        tokens.push({kind: "number", text: match[0], at: at});
        at += match[0].length;
        continue;
      }
      match = NAME.exec(rest);
      if (match) {
        tokens.push({kind: "name", text: match[0], at: at});
        at += match[0].length;
        continue;
      }
      if (rest.slice(0, 2) === "**") { tokens.push({kind: "op", text: "**", at: at}); at += 2; continue; }
      if ("+-*/".indexOf(ch) >= 0) { tokens.push({kind: "op", text: ch, at: at}); at += 1; continue; }
      if (ch === "(" || ch === ")") { tokens.push({kind: ch, text: ch, at: at}); at += 1; continue; }
      if (ch === "^") { throw new ReadError("'^': write powers as ** (0.4621**2)"); }
      if (ch === ",") { throw new ReadError("a comma: write decimals with a point (0.786)"); }
      throw new ReadError("the character '" + ch + "' at " + (at + 1));
    }
    tokens.push({kind: "end", text: "", at: text.length});
    return tokens;
  }

  // expression := term (("+" | "-") term)*      term := unary (("*" | "/") unary)*
  // unary := ("-" | "+") unary | power           power := atom ("**" unary)?    (so -x**2 is -(x**2), as in Python)
  // atom := NUMBER | FUNCTION "(" expression ")" | "(" expression ")"
  function parse(text) {
    if (text.length > MAX_LENGTH) { throw new ReadError("more than " + MAX_LENGTH + " characters"); }
    const tokens = tokenize(text);
    let index = 0;
    let depth = 0;
    const literals = [];
    function token() { return tokens[index]; }
    function isOp(symbols) { return token().kind === "op" && symbols.indexOf(token().text) >= 0; }
    function enter() {
      depth += 1;
      if (depth > MAX_DEPTH) { throw new ReadError("nested more than " + MAX_DEPTH + " levels deep"); }
    }
    function unexpected(wanted) {
      const t = token();
      if (t.kind === "end") { return new ReadError("it ends too early: expected " + wanted); }
      return new ReadError("'" + t.text + "' at " + (t.at + 1) + " (expected " + wanted + ")");
    }
    function expression() {
      let node = term();
      while (isOp(["+", "-"])) {
        const symbol = tokens[index++].text;
        node = {kind: "binary", symbol: symbol, left: node, right: term()};
      }
      return node;
    }
    function term() {
      let node = unary();
      while (isOp(["*", "/"])) {
        const symbol = tokens[index++].text;
        node = {kind: "binary", symbol: symbol, left: node, right: unary()};
      }
      return node;
    }
    function unary() {
      if (isOp(["-", "+"])) {
        const symbol = tokens[index++].text;
        enter();
        const operand = unary();
        depth -= 1;
        return symbol === "-" ? {kind: "neg", operand: operand} : operand;
      }
      return power();
    }
    function power() {
      const base = atom();
      if (isOp(["**"])) {
        index += 1;
        enter();
        const exponent = unary();
        depth -= 1;
        return {kind: "binary", symbol: "**", left: base, right: exponent};
      }
      return base;
    }
    function atom() {
      const t = token();
      if (t.kind === "number") {
        index += 1;
        literals.push(t.text);
        return {kind: "number", value: Number(t.text)};
      }
      if (t.kind === "name") {
        if (!FUNCTIONS.has(t.text)) {
          throw new ReadError("'" + t.text + "': an answer is numbers and the functions " +
            Array.from(FUNCTIONS.keys()).join(", "));
        }
        index += 1;
        if (token().kind !== "(") { throw unexpected("'(' after " + t.text); }
        index += 1;
        enter();
        const operand = expression();
        depth -= 1;
        if (token().kind !== ")") { throw unexpected("')' closing " + t.text + "("); }
        index += 1;
        return {kind: "call", name: t.text, operand: operand};
      }
      if (t.kind === "(") {
        index += 1;
        enter();
        const node = expression();
        depth -= 1;
        if (token().kind !== ")") { throw unexpected("')'"); }
        index += 1;
        return node;
      }
      throw unexpected("a number, a function or '('");
    }
    const tree = expression();
    if (token().kind !== "end") { throw unexpected("an operator (+ - * / **) or the end"); }
    return {tree: tree, literals: literals};
  }

  function evaluate(node) {
    switch (node.kind) {
      case "number": return node.value;
      case "neg": return -evaluate(node.operand);
      case "call": return FUNCTIONS.get(node.name)(evaluate(node.operand));
      case "binary": {
        const a = evaluate(node.left), b = evaluate(node.right);
        if (node.symbol === "+") { return a + b; }
        if (node.symbol === "-") { return a - b; }
        if (node.symbol === "*") { return a * b; }
        if (node.symbol === "/") { return a / b; }
        return Math.pow(a, b);
      }
      default: throw new ReadError("an unknown piece");
    }
  }

  // significant digits of a literal as written: from the first nonzero digit to the last digit written
  function significantDigits(literal) {
    const digits = literal.split(/[eE]/)[0].replace(".", "");
    const first = digits.search(/[1-9]/);
    return first < 0 ? 0 : digits.length - first;
  }
  // 10 to the position of the literal's last written digit: "0.786" -> 0.001, "1.50e-3" -> 1e-5, "100" -> 1
  function lastDigitUnit(literal) {
    const parts = literal.split(/[eE]/);
    const point = parts[0].indexOf(".");
    const decimals = point < 0 ? 0 : parts[0].length - point - 1;
    const exponent = parts.length > 1 ? Number(parts[1]) : 0;
    return Number("1e" + (exponent - decimals));
  }
  function isInteger(literal) { return /^[0-9]+$/.test(literal); }

  function read(text) {
    const trimmed = String(text).trim();
    if (trimmed === "") { return {kind: "empty"}; }
    const word = WORDS.get(trimmed.toLowerCase());
    if (word !== undefined) { return {kind: "number", value: word, special: true}; }
    let parsed;
    try {
      parsed = parse(trimmed);
    } catch (error) {
      if (error instanceof ReadError) { return {kind: "invalid", why: error.message}; }
      throw error;
    }
    const value = evaluate(parsed.tree);
    if (!Number.isFinite(value)) {
      return {kind: "invalid", why: "it has no finite value (a log or sqrt of a negative number, or a division by 0?)"};
    }
    const plainNumber = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(trimmed);
    return {kind: plainNumber ? "number" : "arithmetic", value: value, literals: parsed.literals};
  }

  function judge(text, expected, rule) {
    const answer = read(text);
    if (answer.kind === "empty") {
      return {verdict: "empty", message: "Type an answer: a number like 0.786, or arithmetic like 2 * 0.7864."};
    }
    if (answer.kind === "invalid") {
      return {verdict: "invalid", message: "I cannot read that: " + answer.why +
        ". Type a number like 0.786, or arithmetic like 1 - 0.4621**2."};
    }
    const value = answer.value;
    const result = function (right, k) { return {verdict: right ? "right" : "wrong", value: value, digits: k}; };
    if (Number.isNaN(expected) || Number.isNaN(value)) {
      return result(Number.isNaN(expected) && Number.isNaN(value));
    }
    if (!Number.isFinite(expected) || !Number.isFinite(value) || answer.special) { return result(value === expected); }
    const error = Math.abs(value - expected);
    if (typeof rule.rtol === "number" && typeof rule.atol === "number") {
      return result(error <= rule.atol + rule.rtol * Math.abs(expected));
    }
    const moreDigits = {verdict: "digits", value: value, message: "Give at least " + rule.minDigits +
      " significant digits (like 0.786 or 1.50e-3), so your answer can be checked."};
    if (answer.kind === "number") {
      const literal = answer.literals[0];
      const k = significantDigits(literal);
      if (k === 0) {  // a zero, written as 0 or 0.000: exact
        return result(Math.abs(expected) <= rule.exactRelative, k);
      }
      if (k < rule.minDigits) { return Object.assign(moreDigits, {digits: k}); }
      const unit = lastDigitUnit(literal);
      return result(error <= unit * (1 + ROUNDING), k);
    }
    // integers, and zeros however written, are exact: only the other literals limit what the answer can claim
    const counted = answer.literals.filter(function (l) { return !isInteger(l); }).map(significantDigits)
      .filter(function (k) { return k > 0; });
    if (counted.length === 0) {
      return result(error <= rule.exactRelative * Math.max(Math.abs(value), Math.abs(expected)));
    }
    const k = Math.min.apply(null, counted);
    if (k < rule.minDigits) { return Object.assign(moreDigits, {digits: k}); }
    return result(error <= Math.pow(10, 1 - k) * Math.abs(value) * (1 + ROUNDING), k);
  }

  window.glassgradJudge = Object.freeze({read: read, judge: judge, significantDigits: significantDigits,
    lastDigitUnit: lastDigitUnit});
})();
