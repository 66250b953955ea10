// Kubernetes' $(VAR) expansion, as applied to env values, command and args:
//   $(NAME) becomes NAME's value when NAME is defined, and stays as written when it is not;
//   $$ is an escaped $ ("$$(NAME)" gives "$(NAME)"); any other $ is literal.
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i); // unterminated: literal to the end
        break;
      }
      const name = input.slice(i + 2, close);
      const value = lookup(name);
      out += value ?? `$(${name})`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}
