/**
 * The subset of CEL (github.com/google/cel-spec, with the Kubernetes strings library) that the
 * vendored CRDs' x-kubernetes-validations use: `self`, field selection, `has()`, string and integer
 * literals, `! && || ?:`, comparisons, and the string methods matches, find, substring and size.
 * Anything else (another function, a macro, a list literal) throws, so a re-vendored schema with a
 * new kind of rule fails the tests until this evaluator learns it.
 */

type Value = string | number | boolean | Record<string, unknown> | unknown[] | undefined;

interface Token {
  kind: 'ident' | 'string' | 'int' | 'op';
  text: string;
}

const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '?', ':', '(', ')', '.', ','];

function unsupported(rule: string, what: string): Error {
  return new Error(`cel: unsupported ${what} in rule ${JSON.stringify(rule)}; teach test/support/cel.ts this shape`);
}

/** A CEL string literal's body: `\\`, `\'` and `\"` escapes (the only ones the vendored rules use). */
function unescape(body: string): string {
  return body.replace(/\\(.)/g, '$1');
}

function tokenize(rule: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < rule.length) {
    const c = rule[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < rule.length && rule[j] !== c) j += rule[j] === '\\' ? 2 : 1;
      if (j >= rule.length) throw unsupported(rule, 'unterminated string');
      tokens.push({ kind: 'string', text: unescape(rule.slice(i + 1, j)) });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rule.slice(i))![0];
      tokens.push({ kind: 'ident', text: m });
      i += m.length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+/.exec(rule.slice(i))![0];
      tokens.push({ kind: 'int', text: m });
      i += m.length;
    } else {
      const op = OPERATORS.find((o) => rule.startsWith(o, i));
      if (!op) throw unsupported(rule, `character ${JSON.stringify(c)}`);
      tokens.push({ kind: 'op', text: op });
      i += op.length;
    }
  }
  return tokens;
}

/** Recursive descent over the tokens, evaluating as it goes (CEL here has no side effects). */
class Evaluator {
  private pos = 0;
  constructor(
    private readonly rule: string,
    private readonly tokens: Token[],
    private readonly self: unknown,
  ) {}

  run(): Value {
    const value = this.ternary();
    if (this.pos !== this.tokens.length) throw unsupported(this.rule, `token ${this.tokens[this.pos]!.text}`);
    return value;
  }

  private peek(text: string): boolean {
    return this.tokens[this.pos]?.text === text && this.tokens[this.pos]?.kind !== 'string';
  }

  private expect(text: string): void {
    if (!this.peek(text)) throw unsupported(this.rule, `syntax (expected ${text})`);
    this.pos += 1;
  }

  private ternary(): Value {
    const condition = this.or();
    if (!this.peek('?')) return condition;
    this.pos += 1;
    const yes = this.ternary();
    this.expect(':');
    const no = this.ternary();
    return condition === true ? yes : no;
  }

  private or(): Value {
    let value = this.and();
    while (this.peek('||')) {
      this.pos += 1;
      const right = this.and();
      value = value === true || right === true;
    }
    return value;
  }

  private and(): Value {
    let value = this.unary();
    while (this.peek('&&')) {
      this.pos += 1;
      const right = this.unary();
      value = value === true && right === true;
    }
    return value;
  }

  private unary(): Value {
    if (this.peek('!')) {
      this.pos += 1;
      return this.unary() !== true;
    }
    return this.comparison();
  }

  private comparison(): Value {
    const left = this.postfix();
    const op = this.tokens[this.pos];
    if (!op || op.kind !== 'op' || !['==', '!=', '<=', '>=', '<', '>'].includes(op.text)) return left;
    this.pos += 1;
    const right = this.postfix();
    switch (op.text) {
      case '==':
        return left === right;
      case '!=':
        return left !== right;
      case '<=':
        return (left as number) <= (right as number);
      case '>=':
        return (left as number) >= (right as number);
      case '<':
        return (left as number) < (right as number);
      default:
        return (left as number) > (right as number);
    }
  }

  private postfix(): Value {
    let value = this.primary();
    while (this.peek('.')) {
      this.pos += 1;
      const name = this.tokens[this.pos++];
      if (name?.kind !== 'ident') throw unsupported(this.rule, 'selection');
      if (this.peek('(')) value = this.call(value, name.text);
      else value = (value as Record<string, unknown> | undefined)?.[name.text] as Value;
    }
    return value;
  }

  private args(): Value[] {
    this.expect('(');
    const out: Value[] = [];
    while (!this.peek(')')) {
      out.push(this.ternary());
      if (this.peek(',')) this.pos += 1;
    }
    this.expect(')');
    return out;
  }

  private call(target: Value, method: string): Value {
    const args = this.args();
    if (typeof target !== 'string') throw unsupported(this.rule, `method ${method} on a non-string`);
    switch (method) {
      // RE2 search semantics: a match anywhere, as RegExp.test without the sticky flag.
      case 'matches':
        return new RegExp(args[0] as string).test(target);
      case 'find':
        return new RegExp(args[0] as string).exec(target)?.[0] ?? '';
      case 'substring':
        return [...target].slice(args[0] as number, args[1] as number | undefined).join('');
      case 'size':
        return [...target].length;
      default:
        throw unsupported(this.rule, `method ${method}`);
    }
  }

  private primary(): Value {
    const token = this.tokens[this.pos++];
    if (!token) throw unsupported(this.rule, 'end of rule');
    if (token.kind === 'string') return token.text;
    if (token.kind === 'int') return Number(token.text);
    if (token.kind === 'op' && token.text === '(') {
      const value = this.ternary();
      this.expect(')');
      return value;
    }
    if (token.kind === 'ident') {
      if (token.text === 'self') return this.self as Value;
      if (token.text === 'true' || token.text === 'false') return token.text === 'true';
      if (token.text === 'has') return this.has();
    }
    throw unsupported(this.rule, `token ${token.text}`);
  }

  /** `has(x.f)`: whether the object x has the field f (the macro never evaluates f itself). */
  private has(): boolean {
    this.expect('(');
    const start = this.pos;
    let end = start;
    while (end < this.tokens.length && !(this.tokens[end]!.kind === 'op' && this.tokens[end]!.text === ')')) end += 1;
    const field = this.tokens[end - 1];
    if (end - start < 3 || this.tokens[end - 2]?.text !== '.' || field?.kind !== 'ident') throw unsupported(this.rule, 'has() argument');
    const objectTokens = this.tokens.slice(start, end - 2);
    const object = new Evaluator(this.rule, objectTokens, this.self).run();
    this.pos = end;
    this.expect(')');
    return typeof object === 'object' && object !== null && field.text in object;
  }
}

/** Whether `self` satisfies the rule. */
export function celHolds(rule: string, self: unknown): boolean {
  return new Evaluator(rule, tokenize(rule), self).run() === true;
}
