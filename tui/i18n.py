"""Every string the app shows, in en and pt-BR, and the helpers that put them on screen.

``t("key", **fields)`` looks a string up in the current language (falling back to en, then to the key itself so a
missing string shows up instead of crashing). The current language is the running app's ``lang`` reactive (found
from the task or the thread worker that asks); outside an app (the command line) it is :func:`set_lang`'s default.
Screens and widgets follow a switch with :func:`follow_language` (the app's ``language_changed`` signal), and
:func:`localize_bindings` / :func:`localize_screen` give key bindings with an id their words (``bind.<id>``).
"""

from __future__ import annotations

import sys
from dataclasses import replace

LANGS = ("en", "pt-BR")
_default = "en"  # the language of code that runs outside an app

STRINGS: dict[str, tuple[str, str]] = {
    # app and cloud status
    "app.title": ("gailab", "gailab"),
    "app.subtitle": ("Domain 2 — Generative AI on AWS", "Domínio 2 — IA generativa na AWS"),
    "cloud.starting": ("cloud starting…", "nuvem iniciando…"),
    "cloud.ready": ("cloud ready", "nuvem pronta"),
    "cloud.down": ("cloud down", "nuvem fora do ar"),
    "cloud.down_reason": ("The local cloud is down: {reason}", "A nuvem local está fora do ar: {reason}"),
    "cloud.not_ready": (
        "The local cloud is not ready yet; try again in a moment.",
        "A nuvem local ainda não está pronta; tente de novo em instantes.",
    ),
    "cloud.ready_note": ("The local cloud is ready.", "A nuvem local está pronta."),
    "cloud.restarted": (
        "The local cloud stopped unexpectedly ({cause}) and was restarted; all your work is there.",
        "A nuvem local parou inesperadamente ({cause}) e foi reiniciada; todo o seu trabalho continua lá.",
    ),
    "cloud.down_restart": (
        "The local cloud is down: {reason}. Press ctrl+r (or use the command palette) to restart it; your work is "
        "kept.",
        "A nuvem local está fora do ar: {reason}. Aperte ctrl+r (ou use a paleta de comandos) para reiniciá-la; "
        "seu trabalho fica salvo.",
    ),
    "cloud.restarting": ("Restarting the local cloud…", "Reiniciando a nuvem local…"),
    "cloud.already_ready": ("The local cloud is already running.", "A nuvem local já está rodando."),
    "cloud.attached": (
        "Using the local cloud already running for this home at {endpoint}.",
        "Usando a nuvem local que já roda para esta pasta do gailab em {endpoint}.",
    ),
    "cloud.external": (
        "The cloud at {endpoint} (GAILAB_ENDPOINT) is not started by this app: start it again where it runs.",
        "A nuvem em {endpoint} (GAILAB_ENDPOINT) não é iniciada por este app: inicie-a de novo onde ela roda.",
    ),
    # bindings
    "bind.quit": ("quit", "sair"),
    "bind.help": ("help", "ajuda"),
    "bind.commands": ("commands", "comandos"),
    "bind.language": ("lang", "idioma"),
    "bind.open": ("open", "abrir"),
    "bind.search": ("search", "buscar"),
    "bind.back": ("back", "voltar"),
    "bind.check": ("check", "verificar"),
    "bind.hint": ("hint", "dica"),
    "bind.save": ("save", "salvar"),
    "bind.deploy": ("deploy", "implantar"),
    "bind.layout": ("panes", "painéis"),
    "bind.steps": ("all steps", "todos os passos"),
    "bind.stop": ("stop", "parar"),
    "bind.end_input": ("end input", "fim da entrada"),
    "bind.to_terminal": ("to terminal", "para o terminal"),
    "bind.copy": ("copy", "copiar"),
    "bind.restart_cloud": ("restart cloud", "reiniciar nuvem"),
    "bind.close": ("close", "fechar"),
    "bind.yes": ("yes", "sim"),
    "bind.no": ("no", "não"),
    "bind.refresh": ("refresh", "atualizar"),
    "bind.delete": ("delete", "excluir"),
    "bind.next_step": ("next step", "próximo passo"),
    "bind.prev_step": ("previous step", "passo anterior"),
    "bind.tab_editor": ("editor", "editor"),
    "bind.tab_terminal": ("terminal", "terminal"),
    "bind.tab_playground": ("playground", "playground"),
    "bind.tab_explorer": ("explorer", "explorador"),
    "bind.tab_quiz": ("quiz", "quiz"),
    "bind.quiz_toggle": ("mark", "marcar"),
    "bind.dismiss_menu": ("close list", "fechar lista"),
    "bind.open_link": ("open link", "abrir link"),
    "bind.exit_palette": ("close", "fechar"),
    "bind.reload": ("reload", "recarregar"),
    "bind.verify": ("verify", "verificar cadeia"),
    "bind.older": ("older", "anterior"),
    "bind.newer": ("newer", "mais recente"),
    # the class screen (gailab --class DB)
    "class.loading": ("Reading the class…", "Lendo a turma…"),
    "class.error": ("The class store cannot be read: {error}", "Não foi possível ler o armazenamento da turma: {error}"),
    "class.header": ("class {name} · {learners} learners · {labs} labs",
                     "turma {name} · {learners} alunos · {labs} labs"),
    "class.grid_title": ("Best regraded score per learner and lab", "Melhor nota reavaliada por aluno e lab"),
    "class.legend": ("✔ passed · L late · S solve used · F forged ledger · ! error",
                     "✔ aprovado · L atrasado · S usou a solução · F ledger forjado · ! erro"),
    "class.col.learner": ("learner", "aluno"),
    "class.labs_title": ("Labs", "Labs"),
    "class.submitted": ("{n}/{total} submitted", "{n}/{total} entregaram"),
    "class.pass_rate": ("pass rate", "taxa de aprovação"),
    "class.chart_title": ("Most failed checks · {lab}", "Verificações que mais falham · {lab}"),
    "class.no_failures": ("No failed check in the latest submissions.", "Nenhuma verificação falhou nas últimas entregas."),
    "class.actual": ("most common actual", "valor atual mais comum"),
    "class.chain_intact": ("✔ chain intact: no row was edited, inserted or deleted after the fact",
                           "✔ cadeia íntegra: nenhuma linha foi editada, inserida ou excluída depois"),
    "class.chain_broken": ("✘ chain broken: {n} problem(s); press v or run 'gailab class verify'",
                           "✘ cadeia quebrada: {n} problema(s); tecle v ou rode 'gailab class verify'"),
    "class.no_submission": ("No submission from this learner for this lab.", "Nenhuma entrega deste aluno para este lab."),
    "class.submission_of": ("submission {n} of {total} · {when} · [ ] older/newer",
                            "entrega {n} de {total} · {when} · [ ] anterior/mais recente"),
    "class.flag_solve": ("A reference solution was applied (lab solve).", "A solução de referência foi aplicada (lab solve)."),
    "class.flag_forged": ("{n} forged ledger record(s) were left out.",
                          "{n} registro(s) forjado(s) do ledger ficaram de fora."),
    "class.flag_journal": ("Journal lines that are not valid records: {lines}.",
                           "Linhas do journal que não são registros válidos: {lines}."),
    "class.flag_claimed": ("The learner's own report said {claimed}; the regrade gives {total}.",
                           "O relatório do próprio aluno dizia {claimed}; a reavaliação dá {total}."),
    "class.pending": ("Not regraded yet: run 'gailab class regrade'.", "Ainda não reavaliada: rode 'gailab class regrade'."),
    # catalog
    "catalog.title": ("Labs", "Labs"),
    "catalog.search": ("/ search labs", "/ buscar labs"),
    "catalog.col.num": ("#", "#"),
    "catalog.col.lab": ("Lab", "Lab"),
    "catalog.col.section": ("Section", "Seção"),
    "catalog.col.min": ("Min", "Min"),
    "catalog.col.status": ("Status", "Situação"),
    "catalog.requires": ("Requires: {labs}", "Requer: {labs}"),
    "catalog.requires_none": ("No prerequisites.", "Sem pré-requisitos."),
    "catalog.empty": ("No lab matches “{query}”.", "Nenhum lab corresponde a “{query}”."),
    "catalog.error": ("Could not load the labs: {error}", "Não foi possível carregar os labs: {error}"),
    "catalog.loading": ("Loading the labs…", "Carregando os labs…"),
    "status.not-started": ("·", "·"),
    "status.in-progress": ("◐ {score}", "◐ {score}"),
    "status.passed": ("✓ {score}", "✓ {score}"),
    "status.word.not-started": ("not started", "não iniciado"),
    "status.word.in-progress": ("in progress", "em andamento"),
    "status.word.passed": ("passed", "aprovado"),
    # lab screen
    "lab.back": ("← Labs", "← Labs"),
    "lab.step_of": ("step {n}/{total}", "passo {n}/{total}"),
    "lab.steps": ("Steps", "Passos"),
    "lab.all_steps": ("All steps", "Todos os passos"),
    "lab.tab.editor": ("Editor", "Editor"),
    "lab.tab.terminal": ("Terminal", "Terminal"),
    "lab.tab.playground": ("Playground", "Playground"),
    "lab.tab.explorer": ("Explorer", "Explorador"),
    "lab.tab.quiz": ("Quiz", "Quiz"),
    "lab.check_button": ("Check", "Verificar"),
    "lab.hint_button": ("Hint", "Dica"),
    "lab.checking": ("Checking…", "Verificando…"),
    "lab.no_more_hints": ("No more hints for this step.", "Não há mais dicas para este passo."),
    "lab.no_hints": ("This step has no hints.", "Este passo não tem dicas."),
    "lab.hint_title": ("Hint {n}/{total} · {step}", "Dica {n}/{total} · {step}"),
    "lab.passed": ("Lab passed: {score}/{max}. Well done.", "Lab aprovado: {score}/{max}. Muito bem."),
    "lab.not_passed": ("{score}/{max} — pass mark {mark}.", "{score}/{max} — nota mínima {mark}."),
    "lab.solve_confirm": (
        "Apply the reference solution of “{lab}” to the local cloud? You will skip the exercise; this is recorded.",
        "Aplicar a solução de referência de “{lab}” na nuvem local? Você vai pular o exercício; isso fica registrado.",
    ),
    "lab.reset_confirm": (
        "Reset “{lab}”? Its resources in the local cloud, its calls in the ledger and your changes to its workspace "
        "are removed.",
        "Reiniciar “{lab}”? Os recursos dele na nuvem local, as chamadas dele no ledger e suas mudanças no workspace "
        "serão removidos.",
    ),
    "lab.solved": ("Reference solution applied.", "Solução de referência aplicada."),
    "lab.reset_done": ("Lab reset.", "Lab reiniciado."),
    "lab.action_failed": ("{action} failed: {error}", "{action} falhou: {error}"),
    "lab.solve": ("Solve", "Resolver"),
    "lab.all_done": ("all {total} steps done", "os {total} passos concluídos"),
    "lab.hints_shown": ("Hints shown so far", "Dicas já mostradas"),
    "lab.step_done": (
        "“{step}” is done: all its checks pass. Go on with the next step.",
        "“{step}” está concluído: todas as verificações dele passam. Siga para o próximo passo.",
    ),
    "lab.watch_on": (
        "Watch mode on: saving a file or changing the cloud checks the lab again.",
        "Modo de observação ligado: salvar um arquivo ou mudar a nuvem verifica o lab de novo.",
    ),
    "lab.watch_off": ("Watch mode off: press ctrl+k to check.", "Modo de observação desligado: aperte ctrl+k para verificar."),
    "passed.title": ("✓ Lab passed · {lab}", "✓ Lab aprovado · {lab}"),
    "passed.well_done": (
        "Well done — {score}/{max}. Every check passes.",
        "Muito bem — {score}/{max}. Todas as verificações passam.",
    ),
    "passed.learned": ("What you built and learned", "O que você construiu e aprendeu"),
    "passed.compare": ("Compare with the reference solution", "Comparar com a solução de referência"),
    "passed.next": ("Next lab: {title}", "Próximo lab: {title}"),
    "passed.stay": ("Stay here", "Ficar aqui"),
    "compare.title": ("Your work and the reference solution · {lab}", "Seu trabalho e a solução de referência · {lab}"),
    "compare.mine": ("Yours: {name}", "Seu: {name}"),
    "compare.reference": ("Reference: {name}", "Referência: {name}"),
    "compare.none": ("(no file)", "(nenhum arquivo)"),
    "lab.reset": ("Reset", "Reiniciar"),
    # check results
    "check.title": ("Check · {lab}", "Verificação · {lab}"),
    "check.expected": ("expected", "esperado"),
    "check.actual": ("actual", "obtido"),
    "check.hint": ("hint", "dica"),
    "check.not_counted": ("(not counted)", "(não conta)"),
    "check.cloud_unreachable": (
        "The local cloud did not answer: checks marked ! were not counted.",
        "A nuvem local não respondeu: as verificações marcadas com ! não contaram.",
    ),
    "check.passed": ("Passed — {score}/{max}.", "Aprovado — {score}/{max}."),
    "check.failed": ("Not yet — {score}/{max} (pass mark {mark}).", "Ainda não — {score}/{max} (nota mínima {mark})."),
    "check.error": ("The grader could not run: {error}", "O avaliador não pôde rodar: {error}"),
    # code blocks in the instructions
    "code.help_shell": (
        "enter: to the Terminal tab · c: copy · ↑↓: another command",
        "enter: para a aba Terminal · c: copiar · ↑↓: outro comando",
    ),
    "code.help": ("c: copy", "c: copiar"),
    "code.copied": (
        "Copied to your terminal's clipboard (where it allows it). Enter sends a command to the Terminal tab.",
        "Copiado para a área de transferência do seu terminal (se ele permitir). Enter envia um comando para a aba "
        "Terminal.",
    ),
    # editor
    "editor.files": ("Files", "Arquivos"),
    "editor.no_file": ("Choose a file on the left.", "Escolha um arquivo à esquerda."),
    "editor.saved": ("Saved {path}.", "{path} salvo."),
    "editor.nothing": ("No file is open.", "Nenhum arquivo aberto."),
    "editor.new": ("New file", "Novo arquivo"),
    "editor.new_prompt": ("Name of the new file (inside the workspace):", "Nome do novo arquivo (dentro do workspace):"),
    "editor.bad_name": ("“{name}” is not a file name inside the workspace.", "“{name}” não é um nome de arquivo dentro do workspace."),
    "editor.binary": ("{path} is not a text file.", "{path} não é um arquivo de texto."),
    "editor.save_button": ("Save", "Salvar"),
    "editor.deploy_button": ("Deploy", "Implantar"),
    "editor.modified": ("modified", "modificado"),
    "deploy.none": ("This lab has no function to deploy.", "Este lab não tem função para implantar."),
    "deploy.running": ("Deploying {name}…", "Implantando {name}…"),
    "deploy.created": ("Function {name} created.", "Função {name} criada."),
    "deploy.updated": ("Function {name} updated.", "Função {name} atualizada."),
    "deploy.failed": ("Deploy failed: {error}", "A implantação falhou: {error}"),
    # terminal
    "terminal.placeholder": ("a command, e.g. aws s3 ls", "um comando, ex.: aws s3 ls"),
    "terminal.welcome": (
        "This terminal runs in the lab's workspace, already pointed at the local cloud (aws, python, gailab) — "
        "no eval \"$(gailab env)\" needed here. cd and export carry over between commands. "
        "↑/↓ history · ctrl+c stops · ctrl+d ends a command's input · PgUp/PgDn scroll · clear empties the screen.",
        "Este terminal roda no workspace do lab, já apontado para a nuvem local (aws, python, gailab) — "
        "aqui não é preciso eval \"$(gailab env)\". cd e export valem para os comandos seguintes. "
        "↑/↓ histórico · ctrl+c interrompe · ctrl+d encerra a entrada de um comando · PgUp/PgDn rolam · "
        "clear limpa a tela.",
    ),
    "terminal.exit": ("[exit {code}]", "[saída {code}]"),
    "terminal.stopped": ("[stopped]", "[interrompido]"),
    "terminal.busy": ("A command is still running (ctrl+c stops it).", "Um comando ainda está rodando (ctrl+c interrompe)."),
    "terminal.running": ("running · {lines} lines", "rodando · {lines} linhas"),
    "terminal.input_placeholder": (
        "input for the running command (enter sends · ctrl+d ends · ctrl+c stops)",
        "entrada do comando em execução (enter envia · ctrl+d encerra · ctrl+c interrompe)",
    ),
    "terminal.no_input": ("The command no longer reads its input.", "O comando não lê mais a entrada."),
    "terminal.waiting": (
        "Waiting for the local cloud to start… (ctrl+c cancels)",
        "Aguardando a nuvem local iniciar… (ctrl+c cancela)",
    ),
    "terminal.no_cloud": (
        "Not run: the local cloud is not running, and without it AWS commands would have nowhere safe to go. "
        "Restart it with ctrl+r (or the command palette), then run the command again.",
        "Não executado: a nuvem local não está rodando e, sem ela, os comandos AWS não teriam um destino seguro. "
        "Reinicie-a com ctrl+r (ou pela paleta de comandos) e rode o comando de novo.",
    ),
    "terminal.cloud_down": (
        "The local cloud is down: AWS commands will fail to connect (ctrl+r restarts it). They still never reach "
        "real AWS.",
        "A nuvem local está fora do ar: os comandos AWS não vão conectar (ctrl+r a reinicia). Eles continuam sem "
        "acessar a AWS real.",
    ),
    "terminal.skipped": (
        "({lines} lines scrolled past faster than they could be shown; only the last ones are kept here.)",
        "({lines} linhas passaram rápido demais para serem mostradas; só as últimas ficam aqui.)",
    ),
    "terminal.aws_fixed": (
        "Note: AWS_* variables are fixed to the local cloud in this tab; the ones you set are not kept.",
        "Observação: nesta aba as variáveis AWS_* são as da nuvem local; as que você definiu não são mantidas.",
    ),
    "terminal.python_repl": (
        "Interactive Python: type a line and press enter; ctrl+d ends it.",
        "Python interativo: digite uma linha e aperte enter; ctrl+d encerra.",
    ),
    "terminal.refuse_editor": (
        "{program} needs a full-screen terminal. Edit files in the Editor tab (F5), or run {program} in your own "
        "terminal.",
        "O {program} precisa de um terminal de tela cheia. Edite arquivos na aba Editor (F5) ou rode o {program} "
        "no seu próprio terminal.",
    ),
    "terminal.refuse_full_screen": (
        "{program} needs a full-screen terminal and cannot run in this tab. Run it in your own terminal after "
        "eval \"$(gailab env)\".",
        "O {program} precisa de um terminal de tela cheia e não roda nesta aba. Rode-o no seu próprio terminal "
        "depois de eval \"$(gailab env)\".",
    ),
    "terminal.refuse_configure": (
        "Not needed here: this tab already uses the local cloud's credentials (test/test, us-east-1), and gailab "
        "never reads or writes your ~/.aws. 'aws configure list' shows them.",
        "Não é necessário aqui: esta aba já usa as credenciais da nuvem local (test/test, us-east-1), e o gailab "
        "nunca lê nem altera o seu ~/.aws. 'aws configure list' mostra essas credenciais.",
    ),
    # playground
    "play.model": ("Model", "Modelo"),
    "play.temperature": ("temp", "temp"),
    "play.top_p": ("top-p", "top-p"),
    "play.max_tokens": ("max", "máx"),
    "play.system": ("system prompt (optional)", "prompt de sistema (opcional)"),
    "play.placeholder": ("> ask the model…  (/clear starts over)", "> pergunte ao modelo…  (/clear recomeça)"),
    "play.choose": ("choose a model", "escolha um modelo"),
    "play.you": ("you", "você"),
    "play.model_label": ("model", "modelo"),
    "play.stats": (
        "in {inp} · out {out} tokens · {cost} · {ms} ms · {grounded}",
        "entrada {inp} · saída {out} tokens · {cost} · {ms} ms · {grounded}",
    ),
    "play.grounded": ("grounded", "fundamentada"),
    "play.ungrounded": ("⚠ ungrounded", "⚠ sem fundamento"),
    "play.session": (
        "session: {calls} calls · {tokens} tokens · {cost}",
        "sessão: {calls} chamadas · {tokens} tokens · {cost}",
    ),
    "play.session_one": (
        "session: 1 call · {tokens} tokens · {cost}",
        "sessão: 1 chamada · {tokens} tokens · {cost}",
    ),
    "play.loading_models": ("loading models…", "carregando modelos…"),
    "play.no_models": ("No models: {error}", "Sem modelos: {error}"),
    "play.bad_number": ("{field} must be a number in range ({value!r}).", "{field} deve ser um número válido ({value!r})."),
    "play.error": ("The model call failed: {error}", "A chamada ao modelo falhou: {error}"),
    "play.thinking": ("…", "…"),
    "play.vs": ("vs", "vs"),
    "play.comparing": ("asking {n} models at once…", "perguntando a {n} modelos ao mesmo tempo…"),
    "play.bar_tokens": ("tokens (input + output)", "tokens (entrada + saída)"),
    "play.bar_cost": ("cost", "custo"),
    "play.bar_latency": ("latency", "latência"),
    "play.spend_chart": ("the session's spend after each call", "o gasto da sessão após cada chamada"),
    "play.send": ("Send", "Enviar"),
    # explorer
    "explorer.title": ("Explorer", "Explorador"),
    "explorer.s3": ("S3 buckets", "Buckets S3"),
    "explorer.iam_roles": ("IAM roles", "Papéis IAM"),
    "explorer.iam_policies": ("IAM policies", "Políticas IAM"),
    "explorer.kms": ("KMS keys", "Chaves KMS"),
    "explorer.lambda": ("Lambda functions", "Funções Lambda"),
    "explorer.apigw": ("API Gateway", "API Gateway"),
    "explorer.logs": ("CloudWatch Logs", "CloudWatch Logs"),
    "explorer.alarms": ("CloudWatch alarms", "Alarmes do CloudWatch"),
    "explorer.guardrails": ("Bedrock guardrails", "Barreiras de proteção (Bedrock)"),
    "explorer.bedrock_batch": ("Bedrock batch jobs", "Inferência em lote"),
    "explorer.bedrock_customization": ("Bedrock tuning jobs", "Personalização de modelos"),
    "explorer.bedrock_custom_models": ("Custom models", "Modelos personalizados"),
    "explorer.bedrock_provisioned": ("Provisioned models", "Throughput provisionado"),
    "explorer.sagemaker": ("SageMaker endpoints", "Endpoints SageMaker"),
    "explorer.sagemaker_models": ("SageMaker models", "Modelos SageMaker"),
    "explorer.knowledge_bases": ("Knowledge bases", "Bases de conhecimento"),
    "explorer.empty": ("(none)", "(nenhum)"),
    "explorer.error": ("could not list: {error}", "não foi possível listar: {error}"),
    "explorer.pick": (
        "Pick a resource on the left. r refreshes, delete removes it.",
        "Escolha um recurso à esquerda. r atualiza, delete o remove.",
    ),
    "explorer.loading": ("loading…", "carregando…"),
    "explorer.delete_confirm": ("Delete {kind} “{name}” from the local cloud?", "Excluir {kind} “{name}” da nuvem local?"),
    "explorer.deleted": ("Deleted {name}.", "{name} excluído."),
    "explorer.cannot_delete": ("This item cannot be deleted here.", "Este item não pode ser excluído aqui."),
    "explorer.refreshed": ("Explorer refreshed.", "Explorador atualizado."),
    "explorer.tail": ("Last events", "Últimos eventos"),
    "explorer.objects": ("Objects", "Objetos"),
    "explorer.invoke_url": ("Invoke URL", "URL de invocação"),
    "explorer.architecture": ("▣ What you built", "▣ O que você construiu"),
    "arch.client": ("client (curl, your code)", "cliente (curl, seu código)"),
    "arch.apigw": ("API Gateway", "API Gateway"),
    "arch.lambda": ("Lambda", "Lambda"),
    "arch.bedrock": ("Amazon Bedrock", "Amazon Bedrock"),
    "arch.s3": ("Amazon S3", "Amazon S3"),
    "arch.extra": ("Beside them", "Ao lado"),
    "arch.arrow_invoke": ("invokes the function (proxy)", "invoca a função (proxy)"),
    "arch.arrow_model": ("the function calls the model", "a função chama o modelo"),
    "arch.arrow_store": ("prompt templates in, answers out", "templates de prompt entram, respostas saem"),
    "arch.to_build": ("{name} — still to build", "{name} — ainda a construir"),
    "arch.nothing": ("nothing yet", "nada ainda"),
    "arch.no_stage": ("no stage deployed", "nenhum estágio implantado"),
    "arch.role": ("role {role}", "função do IAM {role}"),
    "arch.calls": ("{n} call(s) from your code · {cost}", "{n} chamada(s) do seu código · {cost}"),
    "arch.no_calls": ("no calls from your code yet", "nenhuma chamada do seu código ainda"),
    "arch.more": ("and {n} more model(s)", "e mais {n} modelo(s)"),
    "arch.playground": ("{n} call(s) from the Playground (not counted)", "{n} chamada(s) do Playground (não contam)"),
    "arch.guardrails": ("{n} guardrail(s)", "{n} barreira(s) de proteção"),
    "arch.versioned": ("versioned", "versionamento ativado"),
    "arch.objects": ("{n} object(s)", "{n} objeto(s)"),
    "arch.log_groups": ("{n} CloudWatch log group(s)", "{n} grupo(s) de logs do CloudWatch"),
    "explorer.blocks_on": ("{on} of 4 settings on", "{on} de 4 configurações ativadas"),
    "explorer.loss.bucket": (
        "It holds {objects} object(s) — {versions} version(s) and {markers} delete marker(s) in all. Every version "
        "is deleted with the bucket; versioning cannot bring them back.",
        "Ele contém {objects} objeto(s) — {versions} versão(ões) e {markers} marcador(es) de exclusão no total. "
        "Todas as versões são excluídas com o bucket; o versionamento não as recupera.",
    ),
    "explorer.loss.key": (
        "The key is scheduled for deletion in 7 days (the shortest waiting period) and cannot be used meanwhile; "
        "once it is deleted, data encrypted with it can never be decrypted. Its aliases ({aliases}) are removed now.",
        "A chave é programada para exclusão em 7 dias (o menor período de espera) e não pode ser usada nesse meio "
        "tempo; depois de excluída, os dados criptografados com ela nunca mais poderão ser descriptografados. Os "
        "aliases dela ({aliases}) são removidos agora.",
    ),
    "explorer.loss.role": (
        "Its {count} policy(ies), inline and attached, are removed with it.",
        "As {count} política(s) dele, em linha e anexadas, são removidas junto.",
    ),
    "explorer.kind.bucket": ("bucket", "o bucket"),
    "explorer.kind.role": ("role", "a função"),
    "explorer.kind.policy": ("policy", "a política"),
    "explorer.kind.key": ("KMS key", "a chave KMS"),
    "explorer.kind.function": ("function", "a função Lambda"),
    "explorer.kind.api": ("API", "a API"),
    "explorer.kind.stage": ("stage", "o estágio"),
    "explorer.kind.loggroup": ("log group", "o grupo de logs"),
    "explorer.kind.guardrail": ("guardrail", "a barreira de proteção"),
    "explorer.kind.sm-endpoint": ("endpoint", "o endpoint"),
    "explorer.field.Bucket": ("Bucket", "Bucket"),
    "explorer.field.Region": ("Region", "Região"),
    "explorer.field.Versioning": ("Versioning", "Versionamento"),
    "explorer.field.Encryption": ("Encryption", "Criptografia"),
    "explorer.field.Public access block": ("Block Public Access", "Bloqueio de acesso público"),
    "explorer.field.Objects": ("Objects", "Objetos"),
    "explorer.field.Role": ("Role", "Função"),
    "explorer.field.Trust": ("Trust policy", "Política de confiança"),
    "explorer.field.Attached": ("Attached", "Anexada"),
    "explorer.field.Policy": ("Policy", "Política"),
    "explorer.field.Document": ("Document", "Documento"),
    "explorer.field.Key": ("Key", "Chave"),
    "explorer.field.Manager": ("Managed by", "Gerenciada por"),
    "explorer.field.State": ("State", "Estado"),
    "explorer.field.Aliases": ("Aliases", "Aliases"),
    "explorer.field.Function": ("Function", "Função"),
    "explorer.field.Runtime": ("Runtime", "Runtime"),
    "explorer.field.Handler": ("Handler", "Manipulador"),
    "explorer.field.Timeout": ("Timeout", "Tempo limite"),
    "explorer.field.Memory": ("Memory", "Memória"),
    "explorer.field.Environment": ("Environment", "Variáveis de ambiente"),
    "explorer.field.Id": ("Id", "ID"),
    "explorer.field.Stage": ("Stage", "Estágio"),
    "explorer.field.Invoke URL": ("Invoke URL", "URL de invocação"),
    "explorer.field.Log group": ("Log group", "Grupo de logs"),
    "explorer.field.Streams": ("Streams", "Fluxos"),
    "explorer.field.Version": ("Version", "Versão"),
    "explorer.field.Status": ("Status", "Status"),
    "explorer.field.Endpoint": ("Endpoint", "Endpoint"),
    "explorer.field.Config": ("Configuration", "Configuração"),
    # quiz
    "quiz.save": ("Save answers", "Salvar respostas"),
    "quiz.saved": ("Answers saved to answers.json.", "Respostas salvas em answers.json."),
    "quiz.none": ("This lab has no quiz.", "Este lab não tem quiz."),
    "quiz.multiple": ("(choose all that apply)", "(marque todas as corretas)"),
    "quiz.choose": ("(choose {n})", "(escolha {n})"),
    "quiz.order": ("(put in order: give each option its position)", "(ordene: dê a cada opção a sua posição)"),
    "quiz.match": ("(match each item to one option)", "(associe cada item a uma opção)"),
    "quiz.position": ("position", "posição"),
    # confirm / help / misc
    "confirm.yes": ("Yes", "Sim"),
    "confirm.no": ("No", "Não"),
    "help.title": ("gailab — help", "gailab — ajuda"),
    "lang.switched": ("Language: English", "Idioma: português (Brasil)"),
    "latency.on": ("Realistic Bedrock latency is on.", "Latência realista do Bedrock ligada."),
    "latency.off": ("Realistic Bedrock latency is off.", "Latência realista do Bedrock desligada."),
    "latency.failed": ("Could not change the latency: {error}", "Não foi possível mudar a latência: {error}"),
    "exports.copied": ("Endpoint exports copied to the clipboard.", "Exports do endpoint copiados para a área de transferência."),
    # command palette
    "cmd.open": ("Open lab: {title}", "Abrir lab: {title}"),
    "cmd.check": ("Check this lab", "Verificar este lab"),
    "cmd.hint": ("Show the next hint", "Mostrar a próxima dica"),
    "cmd.solve": ("Solve (apply the reference solution)", "Resolver (aplicar a solução de referência)"),
    "cmd.reset": ("Reset this lab", "Reiniciar este lab"),
    "cmd.language": ("Switch language (English / português)", "Trocar idioma (English / português)"),
    "cmd.latency": ("Toggle realistic Bedrock latency", "Ligar/desligar latência realista do Bedrock"),
    "cmd.exports": ("Copy the endpoint exports (AWS_ENDPOINT_URL …)", "Copiar os exports do endpoint (AWS_ENDPOINT_URL …)"),
    "cmd.catalog": ("Back to the lab catalog", "Voltar ao catálogo de labs"),
    "cmd.help": ("Help", "Ajuda"),
    "cmd.tab": ("Go to the {tab}", "Ir para {tab}"),
    "cmd.new_file": ("New file in the workspace", "Novo arquivo no workspace"),
    "cmd.deploy": ("Deploy the lab's function", "Implantar a função do lab"),
    "cmd.layout": ("Switch panes (instructions / workspace)", "Alternar painéis (instruções / workspace)"),
    "cmd.lab_only": ("Open a lab first.", "Abra um lab primeiro."),
    "cmd.restart_cloud": ("Restart the local cloud", "Reiniciar a nuvem local"),
    "cmd.watch": ("Watch mode on/off (check again on every change)", "Ligar/desligar o modo de observação (verificar a cada mudança)"),
    "cmd.theme": ("Change the theme (colours)", "Trocar o tema (cores)"),
    "cmd.quit": ("Quit gailab (your work is kept)", "Sair do gailab (seu trabalho fica salvo)"),
    "cmd.screenshot": ("Save a screenshot (SVG)", "Salvar uma captura de tela (SVG)"),
    "cmd.maximize": ("Maximize the focused pane", "Maximizar o painel em foco"),
    "cmd.minimize": ("Restore the maximized pane", "Restaurar o painel maximizado"),
    "cmd.no_match": ("No command matches “{query}”.", "Nenhum comando corresponde a “{query}”."),
    "screenshot.saved": ("Screenshot saved: {path}", "Captura de tela salva: {path}"),
    "palette.placeholder": ("Search for a command…", "Buscar um comando…"),
    "palette.themes": ("Search for a theme…", "Buscar um tema…"),
}


def normalize(lang: str | None) -> str | None:
    """'pt_BR.UTF-8', 'pt-br', 'pt' -> 'pt-BR'; 'en_US' -> 'en'; anything else -> None."""
    if not lang:
        return None
    base = lang.split(".")[0].split("@")[0].replace("_", "-").lower()
    if base.startswith("pt"):
        return "pt-BR"
    if base.startswith("en") or base in ("c", "posix"):
        return "en"
    return None


def detect(explicit: str | None = None, environ: dict | None = None) -> str:
    """``--lang`` wins, then GAILAB_LANG, LC_ALL, LC_MESSAGES, LANG (as the command line chooses); falls back to en."""
    from gailab.labs.text import env_lang

    return normalize(explicit) or env_lang(environ)


def set_lang(lang: str) -> None:
    """The language outside a running app (the command line; tests of pure functions)."""
    global _default
    _default = normalize(lang) or "en"


def _running_app():
    """The app this code runs for: the task's (Textual's own context variable) or the thread worker's."""
    if "textual" not in sys.modules:
        return None
    from textual._context import active_app  # Textual keeps the running app here for every task it starts

    try:
        return active_app.get()
    except LookupError:
        pass
    from textual.worker import NoActiveWorker, get_current_worker

    try:
        node = get_current_worker().node
    except NoActiveWorker:
        return None
    return getattr(node, "app", None) if not hasattr(node, "lang") else node


def get_lang() -> str:
    lang = getattr(_running_app(), "lang", None)
    return lang if lang in LANGS else _default


def t(key: str, **fields) -> str:
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[1] if get_lang() == "pt-BR" else pair[0]
    return text.format(**fields) if fields else text


def money(value: float, lang: str | None = None) -> str:
    """US dollars as the learner reads them: ``$0.000036`` / ``US$ 0,000036``."""
    text = f"{value:.6f}"
    return f"US$ {text.replace('.', ',')}" if (lang or get_lang()) == "pt-BR" else f"${text}"


def number(value: float | int, lang: str | None = None, digits: int | None = None) -> str:
    """A number as the learner writes it: ``1,234`` / ``0.2`` in en, ``1.234`` / ``0,2`` in pt-BR. Whole numbers get
    thousands separators; ``digits`` fixes the decimals, else a float shows as Python would (``0.2``, not ``0.20``)."""
    if digits is not None:
        text = f"{value:,.{digits}f}"
    elif isinstance(value, int) or (float(value).is_integer() and abs(value) >= 1000):
        text = f"{int(value):,}"
    else:
        text = f"{value:,}"
    if (lang or get_lang()) != "pt-BR":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def parse_number(text: str) -> float:
    """What the learner typed, with a decimal comma or point (``0,2`` and ``0.2`` are the same); ValueError else."""
    text = text.strip()
    if text.count(",") + text.count(".") > 1:
        raise ValueError(text)
    return float(text.replace(",", "."))


#: Textual's own bindings that its widgets show in the footer (they have no id), by their English description:
#: the id that gives them our words (a Select's open list: "esc Dismiss menu").
_TEXTUAL_IDS = {"Dismiss menu": "dismiss_menu", "Open link": "open_link", "Exit the command palette": "exit_palette"}


def localize_bindings(node) -> None:
    """Give each binding with an id its description in the current language (ids map to ``bind.<id>``)."""
    bindings = node._bindings.key_to_bindings
    for key, items in bindings.items():
        localized = []
        for b in items:
            bid = b.id or _TEXTUAL_IDS.get(b.description)
            localized.append(replace(b, id=bid, description=t(f"bind.{bid}")) if bid and f"bind.{bid}" in STRINGS else b)
        bindings[key] = localized


def localize_screen(screen) -> None:
    """The screen's bindings and its widgets' (e.g. the terminal's stop, the explorer's refresh)."""
    localize_bindings(screen)
    for widget in screen.query("*"):
        localize_bindings(widget)


def follow_language(node, callback) -> None:
    """Call ``callback()`` on ``node`` whenever the app switches language (unsubscribed when ``node`` goes)."""
    node.app.language_changed.subscribe(node, lambda _lang: callback())
