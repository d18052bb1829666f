"""The command line's words: every error and status line ``gailab`` prints, in en and pt-BR (one catalog), and the
errors it raises. Kept apart (and Textual-free) so ``python -m gailab.tui.cli`` and every command share them.

The language is the learner's: ``--lang``, else GAILAB_LANG, LC_ALL, LC_MESSAGES, LANG (:func:`cli_lang`); ``main``
sets it once for the run. ``UsageError("key", **fields)`` and ``CliError("key", code, **fields)`` take a key of
:data:`MESSAGES` (a text that is not a key is printed as it is: a lower layer's own detail).
"""

from __future__ import annotations

import re

from .i18n import get_lang

MESSAGES: dict[str, tuple[str, str]] = {
    # errors: the cloud
    "cloud.unreachable": ("no cloud answers at {endpoint}; start one with 'gailab serve'",
                          "nenhuma nuvem responde em {endpoint}; inicie uma com 'gailab serve'"),
    "cloud.no_costs": ("the cloud at {endpoint} did not give its costs: {detail}",
                       "a nuvem em {endpoint} não informou os custos: {detail}"),
    "cloud.sandbox": ("cannot start a throwaway local cloud: {detail}",
                      "não foi possível iniciar uma nuvem local temporária: {detail}"),
    "cloud.bad_endpoint": ("bad endpoint: {detail}", "endpoint inválido: {detail}"),
    "cloud.home_in_use": ("{detail} (or use --home)", "{detail} (ou use --home)"),
    "cloud.port_in_use": ("port {port} on {host} is already in use (another gailab serve?); choose another with "
                          "--port, or --port 0 for a free one",
                          "a porta {port} em {host} já está em uso (outro gailab serve?); escolha outra com --port, "
                          "ou --port 0 para uma porta livre"),
    "cloud.no_address": ("cannot bind {host}: no such address on this machine",
                         "não foi possível usar {host}: esse endereço não existe nesta máquina"),
    "cloud.cannot_start": ("cannot start the local cloud: {detail}",
                           "não foi possível iniciar a nuvem local: {detail}"),
    "serve.bad_port": ("--port must be between 0 and 65535, not {port}",
                       "--port deve estar entre 0 e 65535, e não {port}"),
    "serve.not_loopback": ("--host {host} is not a loopback address; the cloud has no authentication. Add "
                           "--allow-remote if you really want to expose it.",
                           "--host {host} não é um endereço de loopback; a nuvem não tem autenticação. Acrescente "
                           "--allow-remote se quiser mesmo expô-la."),
    # errors: labs and files
    "lab.not_found": ("no lab {lab!r}; known labs: {known}", "não existe o lab {lab!r}; labs conhecidos: {known}"),
    "lab.broken": ("lab {lab} is broken: {detail}", "o lab {lab} está com defeito: {detail}"),
    "lab.no_deploy": ("lab {lab} has no [deploy] table: it deploys no function",
                      "o lab {lab} não tem a tabela [deploy]: ele não implanta nenhuma função"),
    "lab.deploy_failed": ("deploy of {function} failed: {detail}", "a implantação de {function} falhou: {detail}"),
    "lab.solution_failed": ("the reference solution failed: {detail}", "a solução de referência falhou: {detail}"),
    "lab.prereq_failed": ("a prerequisite's reference solution failed: {detail}",
                          "a solução de referência de um pré-requisito falhou: {detail}"),
    "grade.fresh_conflict": ("--fresh starts its own cloud; do not combine it with --endpoint or --profile",
                             "--fresh inicia a própria nuvem; não o combine com --endpoint nem com --profile"),
    "grade.bad_timeout": ("--timeout must be positive", "--timeout deve ser positivo"),
    "file.not_folder": ("{option} {path} is not a folder", "{option} {path} não é uma pasta"),
    "file.missing": ("{path} does not exist", "{path} não existe"),
    "file.cannot_write": ("cannot write {path}: {detail}", "não foi possível gravar {path}: {detail}"),
    "store.broken": ("the store cannot be used: {detail}", "não foi possível usar o armazenamento: {detail}"),
    "hash.negative": ("option indexes start at 0", "os índices das opções começam em 0"),
    "app.missing": ("the terminal app is not available in this build ({detail}); try 'gailab --help'",
                    "o app de terminal não está disponível nesta instalação ({detail}); tente 'gailab --help'"),
    # argparse's own errors (a mistyped command or option), matched by ARGPARSE below
    "args.error": ("error: {detail}", "erro: {detail}"),
    "args.invalid_choice": ("argument {arg}: invalid choice: {value} (choose from {choices})",
                            "argumento {arg}: opção inválida: {value} (escolha entre {choices})"),
    "args.required": ("the following arguments are required: {args}", "estes argumentos são obrigatórios: {args}"),
    "args.unrecognized": ("unrecognized arguments: {args}", "argumentos desconhecidos: {args}"),
    "args.expected_one": ("argument {arg}: expected one argument", "argumento {arg}: espera um valor"),
    "args.invalid_value": ("argument {arg}: invalid {kind} value: {value}",
                           "argumento {arg}: valor {kind} inválido: {value}"),
    "args.not_allowed": ("argument {arg}: not allowed with argument {other}",
                         "argumento {arg}: não pode ser usado com o argumento {other}"),
    "env.bad_lab": ("--lab {lab!r} is not a lab id: lowercase letters, digits and dashes",
                    "--lab {lab!r} não é um id de lab: letras minúsculas, dígitos e hifens"),
    # warnings and notes (stderr)
    "warn.not_recorded": ("warning: the attempt was not recorded: {detail}",
                          "aviso: a tentativa não foi registrada: {detail}"),
    "warn.event_not_recorded": ("warning: not recorded: {detail}", "aviso: não foi registrado: {detail}"),
    "warn.setup_failed": ("{summary}; grading what it left (exit 4)",
                          "{summary}; avaliando o que ele deixou (saída 4)"),
    "warn.remote": ("warning: serving on {host}: the local cloud has no authentication; anyone who can reach this "
                    "address can read and change everything in it.",
                    "aviso: servindo em {host}: a nuvem local não tem autenticação; qualquer pessoa que alcance este "
                    "endereço pode ler e alterar tudo nela."),
    "env.no_cloud": ("note: no local cloud answers at {endpoint} yet (home {home}); start one with 'gailab serve' "
                     "(or open 'gailab')",
                     "observação: nenhuma nuvem local responde em {endpoint} ainda (pasta {home}); inicie uma com "
                     "'gailab serve' (ou abra 'gailab')"),
    # statuses (stdout)
    "status.not-started": ("not-started", "não iniciado"),
    "status.in-progress": ("in-progress", "em andamento"),
    "status.passed": ("passed", "aprovado"),
    "labs.after": ("after {labs}", "depois de {labs}"),
    "solve.done": ("applied the reference solution of {labs} at {endpoint}",
                   "solução de referência de {labs} aplicada em {endpoint}"),
    "reset.done": ("reset {lab}: removed {removed}; workspace restored from the starter",
                   "{lab} reiniciado: removido {removed}; workspace restaurado a partir dos arquivos iniciais"),
    "reset.nothing": ("nothing", "nada"),
    "deploy.done": ("{action} {function} from {files} ({runtime}, {handler}, {timeout} s, {memory} MB)",
                    "{action} {function} a partir de {files} ({runtime}, {handler}, {timeout} s, {memory} MB)"),
    "deploy.created": ("created", "criada"),
    "deploy.updated": ("updated", "atualizada"),
    "validate.ok": ("ok    {lab}: {proved}", "ok    {lab}: {proved}"),
    "validate.valid": ("definition is valid", "a definição é válida"),
    "validate.fail": ("FAIL  {lab}", "FALHA {lab}"),
    "supervisor.killed": ("killed by {signal}", "encerrada pelo sinal {signal}"),
    "supervisor.exited": ("exited with code {code}", "encerrada com o código de saída {code}"),
    "supervisor.restarting": ("gailab local cloud restarting: {reason}", "nuvem local do gailab reiniciando: {reason}"),
    "supervisor.gave_up": ("gailab: the local cloud stopped {count} times within {seconds} s (last: {reason}); "
                           "not restarting it again",
                           "gailab: a nuvem local parou {count} vezes em {seconds} s (a última: {reason}); ela não "
                           "será reiniciada de novo"),
    "serve.ready": ("gailab local cloud ready at {endpoint}", "nuvem local do gailab pronta em {endpoint}"),
    "serve.home": ("  home    {home}", "  pasta   {home}"),
    "serve.journal": ("  journal {records} records replayed in {replay} s (started in {started} s)",
                      "  journal {records} registros reaplicados em {replay} s (iniciada em {started} s)"),
    "serve.warning": ("  warning: {detail}", "  aviso: {detail}"),
    "serve.point": ("Point your terminal, boto3 scripts and the aws CLI at it:",
                    "Aponte para ela o seu terminal, os scripts boto3 e a AWS CLI:"),
    "serve.stop_hint": ("Ctrl-C stops it; your work is kept.", "Ctrl-C a interrompe; o seu trabalho fica salvo."),
    "serve.stopped": ("gailab local cloud stopped; journal flushed.",
                      "nuvem local do gailab parada; journal gravado em disco."),
    "gradebook.none": ("no attempts yet", "nenhuma tentativa ainda"),
    "gradebook.row": ("{attempts} attempt(s)", "{attempts} tentativa(s)"),
    "gradebook.not_graded": (" ({n} not graded)", " ({n} não avaliada(s))"),
    "gradebook.passed": ("passed", "aprovado"),
    "submit.failed": ("no submission written: {detail}", "nenhuma entrega gravada: {detail}"),
    "submit.wrote": ("wrote {path} ({kib} KiB): lab {lab} {version} as {learner}, {records} cloud record(s), {files} "
                     "workspace file(s), {events} event(s); {hash}",
                     "gravado {path} ({kib} KiB): lab {lab} {version} como {learner}, {records} registro(s) da nuvem, "
                     "{files} arquivo(s) do workspace, {events} evento(s); {hash}"),
    "submit.solved": ("note: this lab's reference solution was applied (lab solve); the submission says so",
                      "observação: a solução de referência deste lab foi aplicada (lab solve); a entrega registra "
                      "isso"),
    # the class (the teacher's commands)
    "class.no_db": ("give the class store with --db URL (or GAILAB_CLASS_DB): a SQLite file or postgresql://…",
                    "informe o armazenamento da turma com --db URL (ou GAILAB_CLASS_DB): um arquivo SQLite ou "
                    "postgresql://…"),
    "class.key_unreadable": ("cannot read --key-file {path}: {detail}",
                             "não foi possível ler --key-file {path}: {detail}"),
    "class.key_empty": ("--key-file {path} is empty", "--key-file {path} está vazio"),
    "class.no_store": ("no class store at {path}; create one with 'gailab class init NAME --lab LAB… --db FILE'",
                       "não há armazenamento de turma em {path}; crie um com "
                       "'gailab class init NOME --lab LAB… --db ARQUIVO'"),
    "class.bad_due": ("due date {text!r} is not ISO 8601 (2026-12-20 or 2026-12-20T23:59-03:00)",
                      "o prazo {text!r} não está em ISO 8601 (2026-12-20 ou 2026-12-20T23:59-03:00)"),
    "class.bad_shard": ("--shard {text!r} must be I/N, e.g. 1/4", "--shard {text!r} deve ser I/N, por exemplo 1/4"),
    "class.shard_range": ("--shard {text!r}: I must be between 1 and N", "--shard {text!r}: I deve estar entre 1 e N"),
    "class.lab_twice": ("a lab is given twice", "um lab foi informado duas vezes"),
    "class.init_done": ("class {name!r} in {url}: {changes}", "turma {name!r} em {url}: {changes}"),
    "class.no_change": ("no change", "nenhuma mudança"),
    "class.roster_unreadable": ("cannot read the roster {path}: {detail}",
                                "não foi possível ler a lista de alunos {path}: {detail}"),
    "class.roster_done": ("roster: {added} added, {updated} updated, {unchanged} unchanged",
                          "lista de alunos: {added} incluído(s), {updated} atualizado(s), {unchanged} sem mudança"),
    "class.no_submissions": ("no submission files (*.gailab.zip) in {paths}",
                             "nenhum arquivo de entrega (*.gailab.zip) em {paths}"),
    "class.collect_done": ("{stored} stored, {duplicate} already collected, {rejected} rejected",
                           "{stored} guardada(s), {duplicate} já recolhida(s), {rejected} recusada(s)"),
    "class.bad_jobs": ("--jobs must be at least 1", "--jobs deve ser pelo menos 1"),
    "class.not_a_class_lab": ("lab {lab!r} is not a lab of this class ({labs})",
                              "o lab {lab!r} não é um lab desta turma ({labs})"),
    "class.lab_unloadable": ("cannot load lab {lab} of the class: {detail}",
                             "não foi possível carregar o lab {lab} da turma: {detail}"),
    "class.regrade_stopped": ("stopped{where}: {stored} regraded of {pending}; run the same command again to resume",
                              "interrompido{where}: {stored} reavaliada(s) de {pending}; rode o mesmo comando de "
                              "novo para continuar"),
    "class.regrade_done": ("regraded {stored} submission(s){where} in {seconds} s: {passed} passed, {failed} failed, "
                           "{errors} error(s)",
                           "{stored} entrega(s) reavaliada(s){where} em {seconds} s: {passed} aprovada(s), "
                           "{failed} reprovada(s), {errors} com erro"),
    "class.regrade_skipped": ("; {n} taken by another grader", "; {n} com outro avaliador"),
    "class.regrade_nothing": (" (nothing was pending)", " (nada estava pendente)"),
    "class.chain_refused": ("the class store's chain is broken, so the gradebook is not exported "
                            "(--allow-broken-chain exports it anyway):\n{lines}",
                            "a cadeia do armazenamento da turma está quebrada, então o boletim não é exportado "
                            "(--allow-broken-chain o exporta mesmo assim):\n{lines}"),
    "class.chain_warning": ("warning: exporting a gradebook whose chain is broken ({n} problem(s); see "
                            "'gailab class verify')",
                            "aviso: exportando um boletim cuja cadeia está quebrada ({n} problema(s); veja "
                            "'gailab class verify')"),
    "class.lms_csv": ("--layout lms is a CSV layout; use it with --format csv",
                      "--layout lms é um layout CSV; use-o com --format csv"),
    "class.chain_broken": ("the chain is broken: {n} problem(s)", "a cadeia está quebrada: {n} problema(s)"),
    "class.chain_intact": ("the chain is intact: {rows} row(s), head {digest}",
                           "a cadeia está íntegra: {rows} linha(s), topo {digest}"),
    # gailab class show: a submission's regraded report
    "show.header": ("== {learner} {lab}: submitted {when}Z, {hash}", "== {learner} {lab}: entregue em {when}Z, {hash}"),
    "show.pending": ("not regraded yet: run 'gailab class regrade'", "ainda não reavaliada: rode 'gailab class regrade'"),
    "show.forged": ("forged ledger record, journal line {line}: {why}",
                    "registro forjado do ledger, linha {line} do journal: {why}"),
    "show.line": ("journal line {line}: {what}", "linha {line} do journal: {what}"),
    "show.solve": ("a reference solution built this cloud (lab solve)",
                   "uma solução de referência montou esta nuvem (lab solve)"),
    "show.note": ("note: {note}", "observação: {note}"),
    "show.claimed": ("the learner's own report said {claimed}; the regrade gives {total}",
                     "o relatório do próprio aluno dizia {claimed}; a reavaliação dá {total}"),
    "show.missing": ("no submission from {learner!r} for lab {lab!r} in this class",
                     "nenhuma entrega de {learner!r} para o lab {lab!r} nesta turma"),
    "new.done": ("created {folder}: lab.toml, instructions.en.md, instructions.pt-BR.md, checks.py, starter/build.py, "
                 "solution/solve.py, mistakes/versioning-suspended.diff",
                 "{folder} criado: lab.toml, instructions.en.md, instructions.pt-BR.md, checks.py, starter/build.py, "
                 "solution/solve.py, mistakes/versioning-suspended.diff"),
    "new.next": ("next: gailab lab validate {folder}   (the author's guide: docs/labs.md)",
                 "a seguir: gailab lab validate {folder}   (o guia de autoria: docs/labs.md)"),
}


# argparse's messages (Python's own, English only) and the catalog key that says the same in the learner's language.
ARGPARSE = [
    (re.compile(r"argument (?P<arg>.+?): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)$"),
     "args.invalid_choice"),
    (re.compile(r"the following arguments are required: (?P<args>.+)$"), "args.required"),
    (re.compile(r"unrecognized arguments: (?P<args>.+)$"), "args.unrecognized"),
    (re.compile(r"argument (?P<arg>.+?): expected one argument$"), "args.expected_one"),
    (re.compile(r"argument (?P<arg>.+?): invalid (?P<kind>\w+) value: (?P<value>.+)$"), "args.invalid_value"),
    (re.compile(r"argument (?P<arg>.+?): not allowed with argument (?P<other>.+)$"), "args.not_allowed"),
]


def argparse_message(message: str) -> str:
    """argparse's error ``message`` in the learner's language (as it is when no pattern knows it)."""
    for pattern, key in ARGPARSE:
        found = pattern.match(message)
        if found:
            return say("args.error", detail=say(key, **found.groupdict()))
    return say("args.error", detail=message)


def cli_lang(explicit: str | None = None, environ=None) -> str:
    """The command line's language: ``--lang``, else GAILAB_LANG, LC_ALL, LC_MESSAGES, LANG; en by default."""
    from .i18n import detect

    return detect(explicit, environ)


def say(key: str, **fields) -> str:
    """One line of the catalog in the current language (a text that is no key is returned as it is)."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if get_lang() == "pt-BR" else pair[0]
    return text.format(**fields) if fields else text


class UsageError(Exception):
    """A bad argument or input: printed as one line, exit 2."""

    def __init__(self, key: str, **fields):
        super().__init__(say(key, **fields))
        self.key = key


class CliError(Exception):
    """A failure with its own exit code, printed as one line."""

    def __init__(self, key: str, code: int = 1, **fields):
        super().__init__(say(key, **fields))
        self.key = key
        self.code = code
