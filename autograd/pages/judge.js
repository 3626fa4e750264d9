/* How the practice page reads and judges an answer, as a teacher would: the rule of autograd.practice.judge, in
   the browser, its constants from the page's data (rule.min_digits, rule.exact_rtol, rule.rounding_rtol, rule.rtol,
   rule.atol, rule.exact).

   An answer is a number (plain or exponent notation: 0.786, -3, 1.50e-3; inf, nan) or arithmetic on numbers: + - * /
   **, unary minus, parentheses and the functions exp log sqrt sin cos tanh sigmoid relu abs. A small parser reads it
   into a tree and a walk over that tree computes it; nothing else is ever run (no eval, no Function).

   1. An explicit tolerance (rtol and/or atol): right when |a - t| <= atol + rtol |t|; nothing below applies.
   2. An infinity or nan is right only as itself.
   3. Right when |a - t| <= exact_rtol |t| (the value itself, up to float rounding).
   4. A plain number with k significant digits (first nonzero digit to the last digit written) may be off by one unit
      of its last digit, u. Arithmetic: k is the fewest significant digits among its numbers that are not integers
      (integers, and the problem's own numbers in rule.exact, are exact), u = 10^(1 - k) |a|; with none, u = 0.
   5. For t = 0 a plain answer is right when |a| <= u.
   6. |a - t| > u + rounding_rtol max(|a|, |t|): wrong; with k < min_digits, |a - t| >= u is wrong too.
   7. k < min_digits: "give at least 3 significant digits" (not judged, not a try, asked again).
   8. Otherwise right. */
(function () {
  "use strict";
  const MAX_LENGTH = 1000;
  const MAX_DEPTH = 40;
  const FUNCTIONS = new Map([
    ["exp", Math.exp], ["log", Math.log], ["sqrt", Math.sqrt], ["sin", Math.sin], ["cos", Math.cos],
    ["tanh", Math.tanh], ["abs", Math.abs],
    ["sigmoid", function (x) { return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)); }],
    ["relu", function (x) { return x > 0 ? x : 0; }]
  ]);
  const NUMBER = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/;
  const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
  const WORDS = new Map([["inf", Infinity], ["+inf", Infinity], ["infinity", Infinity], ["-inf", -Infinity],
    ["-infinity", -Infinity], ["+infinity", Infinity], ["nan", NaN]]);

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

  // a plain number's value, significant digits and one unit of its last digit ("0.786" -> 3, 0.001), or null
  const PLAIN = /^([+-]?)(?:([0-9]+)\.?([0-9]*)|\.([0-9]+))(?:[eE]([+-]?[0-9]+))?$/;
  function readPlain(text) {
    const word = WORDS.get(text.toLowerCase());
    if (word !== undefined) { return {value: word, digits: 0, unit: 0}; }
    const match = PLAIN.exec(text);
    if (!match) { return null; }
    const fraction = match[4] !== undefined ? match[4] : (match[3] || "");
    const digits = ((match[2] || "") + fraction).replace(/^0+/, "").length;
    const lastPlace = (match[5] ? Number(match[5]) : 0) - fraction.length;
    const value = Number(text);
    if (!Number.isFinite(value)) { return null; }
    return {value: value, digits: digits, unit: Math.pow(10, lastPlace)};
  }
  function significantDigits(literal) { const plain = readPlain(literal); return plain ? plain.digits : 0; }
  function isClose(a, t, rtol, atol) {
    if (Number.isNaN(a) || Number.isNaN(t)) { return Number.isNaN(a) && Number.isNaN(t); }
    if (!Number.isFinite(a) || !Number.isFinite(t)) { return a === t; }
    return Math.abs(a - t) <= atol + rtol * Math.abs(t);
  }

  function judge(given, expected, rule) {
    const text = String(given).trim().replace(/\u2212/g, "-");  // a typographic minus, pasted
    const min = rule.min_digits;
    if (text === "") {
      return {verdict: "empty", message: "Type an answer: a number like 0.786, or arithmetic like 2 * 0.7864."};
    }
    let value, digits, unit, relative;
    const plain = readPlain(text);
    if (plain) {
      value = plain.value; digits = plain.digits; unit = plain.unit; relative = false;
    } else {
      if (/^[+-]?[0-9]+,[0-9]+$/.test(text)) {
        return {verdict: "invalid", message: "Write the decimal point as a point: " + text.replace(",", ".") + "."};
      }
      let parsed;
      try {
        parsed = parse(text);
      } catch (error) {
        if (error instanceof ReadError) {
          return {verdict: "invalid", message: "I cannot read that: " + error.message +
            ". Type a number like 0.786, -3 or 1.5e-3, or arithmetic like 1 - 0.4621**2."};
        }
        throw error;
      }
      value = evaluate(parsed.tree);
      if (!Number.isFinite(value)) {
        return {verdict: "invalid", message: "That has no value: a log or sqrt of a negative number, or a " +
          "division by 0? Type a number like 0.786, or arithmetic like 1 - 0.4621**2."};
      }
      const exact = new Set(rule.exact || []);
      const counted = parsed.literals.filter(function (l) { return !/^[0-9]+$/.test(l) && !exact.has(Number(l)); })
        .map(significantDigits);
      digits = counted.length ? Math.min.apply(null, counted) : null;
      unit = digits === null ? 0 : Math.pow(10, 1 - digits) * Math.abs(value);
      relative = true;
    }
    const result = function (right) { return {verdict: right ? "right" : "wrong", value: value, digits: digits}; };
    if (rule.rtol !== null || rule.atol !== null) {
      return result(isClose(value, expected, rule.rtol || 0, rule.atol || 0));
    }
    if (!(Number.isFinite(value) && Number.isFinite(expected))) { return result(isClose(value, expected, 0, 0)); }
    const distance = Math.abs(value - expected);
    if (expected === 0 && !relative) { return result(distance <= unit); }
    if (distance <= rule.exact_rtol * Math.abs(expected)) { return result(true); }
    const slack = rule.rounding_rtol * Math.max(Math.abs(value), Math.abs(expected));
    if (digits === null || distance > unit + slack || (digits < min && distance >= unit)) { return result(false); }
    if (digits < min) {
      return {verdict: "digits", value: value, digits: digits, message: "Give at least " + min +
        " significant digits " + (relative ? "in every rounded number" : "(" + text + " has " + digits + ")") +
        ", so your answer can be judged: like 0.786 or 1.50e-3."};
    }
    return result(true);
  }

  window.glassgradJudge = Object.freeze({judge: judge, significantDigits: significantDigits});
})();
