"""The command line's help in the learner's language: one catalog (English text -> pt-BR, as gettext keys it) for
every ``help=``, ``description=`` and ``metavar`` of the ``gailab`` parser, and argparse's own section titles.

The commands keep writing their help in English beside their options; :func:`localize_parser` walks the built
parser once and swaps each text for its pt-BR one when the learner's language is pt-BR (``main`` builds the parser
after setting it). A help text missing here stays English, which tests/test_cli_language.py catches.
"""

from __future__ import annotations

import argparse

from .i18n import get_lang

HELP: dict[str, str] = {
    # argparse's own words
    "positional arguments": "argumentos posicionais",
    "options": "opções",
    "show this help message and exit": "mostra esta ajuda e sai",
    "show program's version number and exit": "mostra a versão do programa e sai",
    # gailab
    "Hands-on labs for the AWS Generative AI fundamentals, on an offline local cloud.":
        "Labs práticos dos fundamentos de IA generativa da AWS, em uma nuvem local que funciona off-line.",
    "gailab's data folder (default: GAILAB_HOME or the user data dir)":
        "pasta de dados do gailab (padrão: GAILAB_HOME ou a pasta de dados do usuário)",
    "language of the app (default from LC_ALL/LANG)": "idioma do app (padrão: o de LC_ALL/LANG)",
    "open the class screen on this class store (a SQLite file or postgresql://…)":
        "abre a tela da turma com este armazenamento de turma (um arquivo SQLite ou postgresql://…)",
    # serve, env
    "run the local cloud in the foreground": "executa a nuvem local em primeiro plano",
    "Run the local cloud (S3, KMS, IAM, STS, Lambda, API Gateway, CloudWatch, SageMaker and the simulated Bedrock) "
    "on one loopback endpoint. State survives restarts (journal in <home>/cloud/).":
        "Executa a nuvem local (S3, KMS, IAM, STS, Lambda, API Gateway, CloudWatch, SageMaker e o Bedrock "
        "simulado) em um único endpoint de loopback. O estado é mantido entre reinícios (journal em <home>/cloud/).",
    "address to bind (default 127.0.0.1)": "endereço em que escutar (padrão: 127.0.0.1)",
    "port (default 4566; 0 picks a free one)": "porta (padrão: 4566; 0 escolhe uma porta livre)",
    "start empty (the old journal is kept aside)": "inicia vazia (o journal antigo é guardado à parte)",
    "log every request": "registra cada solicitação no log",
    "allow a non-loopback --host (the cloud has no authentication: anyone who reaches it can use it)":
        "permite um --host que não seja de loopback (a nuvem não tem autenticação: qualquer pessoa que a alcance "
        "pode usá-la)",
    "simulate each model's time to first token and tokens/s (default off)":
        "simula o tempo até o primeiro token e os tokens/s de cada modelo (padrão: off)",
    "run the cloud in this process only (by default a supervisor restarts it if it is killed)":
        "executa a nuvem só neste processo (por padrão, um supervisor a reinicia se ela for encerrada)",
    "replay the whole journal at start and take no checkpoints":
        "reaplica o journal inteiro ao iniciar e não grava pontos de retomada",
    "print the exports that point AWS tools at the local cloud":
        "imprime os exports que apontam as ferramentas da AWS para a nuvem local",
    'Print shell exports for AWS_ENDPOINT_URL, dummy credentials and the region. Use: eval "$(gailab env)"':
        "Imprime os exports de shell para AWS_ENDPOINT_URL, credenciais fictícias e a região. "
        'Uso: eval "$(gailab env)"',
    "the cloud's URL (default: the running one for this home, else :4566)":
        "URL da nuvem (padrão: a que está em execução para esta pasta de dados; se não houver, :4566)",
    "mark this shell's calls as the lab's (what the app's Terminal does), so 'gailab lab reset LAB' also forgets "
    "their ledger records":
        "marca as chamadas deste shell como do lab (o que o Terminal do app faz), para que 'gailab lab reset LAB' "
        "também apague os registros delas no ledger",
    # costs
    "what your use of the local cloud would cost on AWS": "quanto o seu uso da nuvem local custaria na AWS",
    "Add up what everything used in the local cloud would cost on AWS: Bedrock tokens per model (on-demand and "
    "batch), provisioned throughput hours, custom model storage, SageMaker instance hours, Lambda, KMS. Prices "
    "come from AWS's public price lists (each line names its source).":
        "Soma quanto tudo o que foi usado na nuvem local custaria na AWS: tokens do Bedrock por modelo (sob demanda "
        "e em lote), horas de throughput provisionado, armazenamento de modelos personalizados, horas "
        "de instância do SageMaker, Lambda, KMS. Os preços vêm das listas de preços públicas da AWS (cada linha "
        "indica a sua fonte).",
    "only usage after WHEN: an ISO 8601 time (2026-03-01T09:00:00Z), Unix seconds, or a duration back from now "
    "(30m, 2h, 7d)":
        "só o uso depois de QUANDO: um horário ISO 8601 (2026-03-01T09:00:00Z), segundos Unix ou uma duração "
        "contada a partir de agora (30m, 2h, 7d)",
    "write there instead of stdout": "grava nesse arquivo em vez de stdout",
    "the cloud (default: GAILAB_ENDPOINT, the running gailab serve, AWS_ENDPOINT_URL, :4566)":
        "a nuvem (padrão: GAILAB_ENDPOINT, o gailab serve em execução, AWS_ENDPOINT_URL, :4566)",
    "language of the text report (default from LC_ALL/LANG)":
        "idioma do relatório em texto (padrão: o de LC_ALL/LANG)",
    # labs, grade, lab …, gradebook
    "also load labs from this folder (a lab folder or a folder of labs; repeatable)":
        "carrega também os labs desta pasta (a pasta de um lab ou uma pasta de labs; pode ser repetido)",
    "language of messages (default from LC_ALL/LANG)": "idioma das mensagens (padrão: o de LC_ALL/LANG)",
    "the cloud to use (default: GAILAB_ENDPOINT, the running gailab serve, AWS_ENDPOINT_URL, then "
    "http://127.0.0.1:4566)":
        "a nuvem a usar (padrão: GAILAB_ENDPOINT, o gailab serve em execução, AWS_ENDPOINT_URL e, por fim, "
        "http://127.0.0.1:4566)",
    "list the labs": "lista os labs",
    "List the labs in suggested order, with your progress.": "Lista os labs na ordem sugerida, com o seu progresso.",
    "print JSON": "imprime JSON",
    "the store (default: GAILAB_DB or <home>/gailab.db)": "o armazenamento (padrão: GAILAB_DB ou <home>/gailab.db)",
    "whose progress (default: GAILAB_LEARNER or the user)": "de quem é o progresso (padrão: GAILAB_LEARNER ou o usuário)",
    "grade a lab (exit 0 passed, 1 failed, 3 no cloud, 4 setup failed)":
        "avalia um lab (saída 0 aprovado, 1 reprovado, 3 sem nuvem, 4 o setup falhou)",
    "Grade a lab against a cloud and record the attempt. CI recipe: gailab grade LAB --fresh --setup './deploy.sh' "
    "--format junit --output results.xml":
        "Avalia um lab em uma nuvem e registra a tentativa. Receita para CI: gailab grade LAB --fresh --setup "
        "'./deploy.sh' --format junit --output results.xml",
    "lab id (or a path to a lab folder)": "id do lab (ou o caminho da pasta de um lab)",
    "grade a real AWS account through this profile instead of a local cloud":
        "avalia uma conta real da AWS por meio deste perfil, em vez de uma nuvem local",
    "the learner's files, e.g. answers.json (default <home>/workspaces/<lab>)":
        "os arquivos do aluno, por exemplo answers.json (padrão: <home>/workspaces/<lab>)",
    "default: GAILAB_LEARNER or the user name": "padrão: GAILAB_LEARNER ou o nome do usuário",
    "write the report there (text also goes to stdout)":
        "grava o relatório nesse arquivo (em texto, ele também vai para stdout)",
    "do not store the attempt": "não guarda a tentativa",
    "grade in a throwaway local cloud: prerequisites' reference solutions, then --setup":
        "avalia em uma nuvem local temporária: as soluções de referência dos pré-requisitos e depois --setup",
    "bash command run first with the cloud's environment and this Python's python/aws/gailab first on PATH (exit 4 "
    "when it fails)":
        "comando bash executado antes, com o ambiente da nuvem e os python/aws/gailab deste Python à frente no "
        "PATH (saída 4 quando ele falha)",
    "seconds per check (default 10)": "segundos por verificação (padrão: 10)",
    "author and manage labs: validate, solve, reset": "cria e gerencia labs: validate, solve, reset",
    "lint lab folders and prove them (solution passes, starter fails, mistakes fail)":
        "verifica as pastas de labs e as prova (a solução passa, os arquivos iniciais falham, os erros falham)",
    "check the definition only; start no cloud": "verifica só a definição; não inicia nenhuma nuvem",
    "apply the reference solution (and the prerequisites') to the cloud":
        "aplica a solução de referência (e a dos pré-requisitos) na nuvem",
    "apply only this lab's solution": "aplica só a solução deste lab",
    "remove the lab's resources from the cloud and restore the starter workspace":
        "remove os recursos do lab da nuvem e restaura o workspace inicial",
    "deploy the lab's Lambda function from the workspace (what Ctrl+D does in the app)":
        "implanta a função do Lambda do lab a partir do workspace (o que Ctrl+D faz no app)",
    "where the source files are (default <home>/workspaces/<lab>)":
        "onde estão os arquivos-fonte (padrão: <home>/workspaces/<lab>)",
    "deploy to a real AWS account through this profile": "implanta em uma conta real da AWS por meio deste perfil",
    "scaffold a lab that lab validate already proves (see docs/labs.md)":
        "cria o esqueleto de um lab que o lab validate já prova (veja docs/labs.md)",
    "lowercase letters, digits and dashes": "letras minúsculas, dígitos e hifens",
    "where to create it (default .)": "onde criá-lo (padrão: .)",
    "print the salted hash of a quiz answer, for a lab's manifest":
        "imprime o hash com salt da resposta de um quiz, para o manifesto de um lab",
    "the correct options, from 0 (order: every option first to last; match: one per prompt)":
        "as opções corretas, a partir de 0 (ordenação: todas as opções, da primeira à última; associação: uma por "
        "enunciado)",
    "keep the order (ordering and matching questions; found from the lab when it exists)":
        "mantém a ordem (perguntas de ordenação e de associação; obtido do lab quando ele existe)",
    "export every learner's best results (CSV)": "exporta os melhores resultados de cada aluno (CSV)",
    # submit, class …
    "also load labs from this folder (repeatable)": "carrega também os labs desta pasta (pode ser repetido)",
    "write a submission file for a lab": "grava um arquivo de entrega de um lab",
    "Write one file to hand in: your local cloud's journal, the lab's workspace files, your last report and the "
    "app's events for the lab. Your instructor regrades it by rebuilding your cloud.":
        "Grava um único arquivo para entregar: o journal da sua nuvem local, os arquivos do workspace do lab, o seu "
        "último relatório e os eventos do app para o lab. O instrutor o reavalia reconstruindo a sua nuvem.",
    "where to write it (default ./<lab>-<learner>.gailab.zip)": "onde gravá-lo (padrão: ./<lab>-<learner>.gailab.zip)",
    "your id in the class roster (default: GAILAB_LEARNER or the user)":
        "o seu id na lista de alunos da turma (padrão: GAILAB_LEARNER ou o usuário)",
    "the lab's files (default <home>/workspaces/<lab>)": "os arquivos do lab (padrão: <home>/workspaces/<lab>)",
    "your store, for the report and events (default <home>/gailab.db)":
        "o seu armazenamento, para o relatório e os eventos (padrão: <home>/gailab.db)",
    "language of the messages (default from LC_ALL/LANG)": "idioma das mensagens (padrão: o de LC_ALL/LANG)",
    "instructors: a class's submissions, regrades and gradebook":
        "para instrutores: entregas, reavaliações e boletim de uma turma",
    "Collect submissions, regrade them by replaying each learner's cloud, and export a gradebook that shows any "
    "later edit.":
        "Recebe as entregas, reavalia-as reproduzindo a nuvem de cada aluno e exporta um boletim que mostra "
        "qualquer alteração posterior.",
    "the class store: a SQLite path or URL, or postgresql+psycopg://… (default GAILAB_CLASS_DB)":
        "o armazenamento da turma: um caminho ou URL do SQLite, ou postgresql+psycopg://… (padrão: "
        "GAILAB_CLASS_DB)",
    "the class key that signs the chain (default: GAILAB_CLASS_KEY, else no key)":
        "a chave da turma que assina a cadeia (padrão: GAILAB_CLASS_KEY; se não houver, nenhuma chave)",
    "create the class, or change its labs": "cria a turma ou altera os labs dela",
    "Create a class (or change its labs and due dates). A due date is ISO 8601: 2026-12-20 (end of that day) or "
    "2026-12-20T23:59-03:00; without an offset it is this machine's local time.":
        "Cria uma turma (ou altera os labs e os prazos dela). Um prazo é ISO 8601: 2026-12-20 (fim desse dia) ou "
        "2026-12-20T23:59-03:00; sem deslocamento, vale o horário local desta máquina.",
    "a lab of the class, optionally with its due date (repeatable, in course order)":
        "um lab da turma, opcionalmente com o prazo (pode ser repetido, na ordem do curso)",
    "the class's learners": "os alunos da turma",
    "add or update learners from a CSV (id, name, email)": "inclui ou atualiza alunos a partir de um CSV (id, nome, e-mail)",
    "print the roster": "imprime a lista de alunos",
    "store submission files (each once)": "guarda arquivos de entrega (cada um uma única vez)",
    "Store submission files in the class, each once by content hash. Files from learners not in the roster or for "
    "labs not in the class are rejected (exit 1).":
        "Guarda arquivos de entrega na turma, cada um uma única vez pelo hash do conteúdo. Arquivos de alunos que "
        "não estão na lista ou de labs que não são da turma são recusados (saída 1).",
    "regrade submissions by replaying their clouds": "reavalia entregas reproduzindo as nuvens delas",
    "For each submission not yet graded with the class's labs and this gailab: a fresh local cloud, the learner's "
    "journal replayed, every recorded Bedrock call re-run, the lab graded with the submission's files. Ctrl-C "
    "stops; run again to resume.":
        "Para cada entrega ainda não avaliada com os labs da turma e este gailab: uma nuvem local nova, o journal "
        "do aluno reaplicado, cada chamada registrada ao Bedrock executada de novo e o lab avaliado com os arquivos "
        "da entrega. Ctrl-C interrompe; rode de novo para continuar.",
    "worker processes (default 1)": "processos de trabalho (padrão: 1)",
    "only this lab": "só este lab",
    "only this learner": "só este aluno",
    "only the I-th of N shards (CI matrices: 1/4 … 4/4)": "só a I-ésima de N partes (matrizes de CI: 1/4 … 4/4)",
    "regrade even the submissions already graded": "reavalia até as entregas já avaliadas",
    "regrade those whose last regrade was an error": "reavalia aquelas cuja última reavaliação deu erro",
    "export best and latest scores per learner and lab": "exporta a melhor e a última nota por aluno e lab",
    "rows: one line per learner and lab (every field); lms: one line per learner, one column per lab (CSV only)":
        "rows: uma linha por aluno e lab (todos os campos); lms: uma linha por aluno, uma coluna por lab (só CSV)",
    "export even when 'class verify' finds edited, inserted or deleted rows":
        "exporta mesmo quando 'class verify' encontra linhas alteradas, inseridas ou excluídas",
    "where the class is stuck: pass rates, most failed checks":
        "onde a turma está travada: taxas de aprovação, verificações que mais falham",
    "print a learner's regraded report for a lab": "imprime o relatório reavaliado de um aluno para um lab",
    "The regraded report of the learner's latest submission for the lab (or of each with --all), with what the "
    "regrade found: forged ledger records, bad journal lines, a reference solution, the learner's own claim.":
        "O relatório reavaliado da última entrega do aluno para o lab (ou de cada uma, com --all), com o que a "
        "reavaliação encontrou: registros forjados do ledger, linhas inválidas do journal, uma solução de "
        "referência, o que o próprio aluno declarou.",
    "every submission, newest first": "todas as entregas, da mais recente para a mais antiga",
    "name every row edited, inserted or deleted after the fact":
        "aponta cada linha alterada, inserida ou excluída depois do registro",
    # metavars (and option values named after their dest)
    "COMMAND": "COMANDO",
    "ACTION": "AÇÃO",
    "DIR": "PASTA",
    "FILE": "ARQUIVO",
    "NAME": "NOME",
    "TEXT": "TEXTO",
    "WHEN": "QUANDO",
    "CMD": "COMANDO",
    "PATH": "CAMINHO",
    "INDEX": "ÍNDICE",
    "LEARNER": "ALUNO",
    "QUESTION_ID": "ID_DA_PERGUNTA",
    "LAB[@DUE]": "LAB[@PRAZO]",
    "ROSTER.csv": "ALUNOS.csv",
    "DIR|FILE": "PASTA|ARQUIVO",
    "PROFILE": "PERFIL",
    # the same in both languages (listed so that every text of the parser is in this catalog)
    "LAB": "LAB",
    "LAB_ID": "LAB_ID",
    "ID": "ID",
    "URL": "URL",
    "DB": "DB",
    "I/N": "I/N",
    "PORT": "PORTA",
    "HOST": "ENDEREÇO",
    "ENDPOINT": "URL",
    "JOBS": "N",
    "TIMEOUT": "SEGUNDOS",
    "TITLE_EN": "TEXTO",
    "TITLE_PT": "TEXTO",
}


class LocalizedFormatter(argparse.HelpFormatter):
    """argparse's formatter with its "usage:" in the learner's language (the help and the errors' usage line)."""

    def add_usage(self, usage, actions, groups, prefix=None):
        if prefix is None and get_lang() == "pt-BR":
            prefix = "uso: "
        super().add_usage(usage, actions, groups, prefix)


def tr(text: str | None) -> str | None:
    """``text`` in the learner's language (as it is in en, or when the catalog does not know it)."""
    if text is None or get_lang() != "pt-BR":
        return text
    return HELP.get(text, text)


def localize_parser(parser: argparse.ArgumentParser) -> None:
    """Swap every help text, description, section title and metavar of ``parser`` and its subcommands for the
    learner's language (nothing changes in en). Parents' actions are shared, so each is swapped only once."""
    if get_lang() != "pt-BR":
        return
    seen: set[int] = set()
    _localize(parser, seen)


def _localize(parser: argparse.ArgumentParser, seen: set[int]) -> None:
    parser.description = tr(parser.description)
    parser.epilog = tr(parser.epilog)
    for group in parser._action_groups:
        group.title = tr(group.title)
    for action in parser._actions:
        if id(action) not in seen:
            seen.add(id(action))
            _localize_action(action)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:  # the subcommands' one-line help in the listing
                if id(choice) not in seen:
                    seen.add(id(choice))
                    choice.help = tr(choice.help)
            for sub in dict.fromkeys(action.choices.values()):
                _localize(sub, seen)


def _localize_action(action: argparse.Action) -> None:
    if action.help and action.help != argparse.SUPPRESS:
        action.help = tr(action.help)
    if isinstance(action.metavar, str):
        action.metavar = tr(action.metavar)
    elif action.metavar is None and action.option_strings and action.nargs != 0 and action.choices is None:
        shown = action.dest.upper()  # what argparse would show: PROFILE, TIMEOUT …
        if shown in HELP:
            action.metavar = HELP[shown]
