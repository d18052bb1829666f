"""F1: what each key does, in the current language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Markdown

from .. import i18n
from ..i18n import follow_language, localize_bindings, t

HELP = {
    "en": """\
Hands-on labs for the AWS Generative AI fundamentals, on a local cloud that runs on this computer.
Work in the **Editor**, **Terminal**, **Playground** and **Explorer** tabs, then press **Check**.

- **enter** — open the selected lab
- **/** — search the labs
- **ctrl+k** — check the lab (run the grader)
- **f4** — show the next hint of the current step
- **ctrl+s** — save the file in the editor
- **ctrl+d** — deploy the lab's function (Lambda labs)
- **f2** — switch panes: both / instructions / workspace
- **f3** — one step / all steps
- **f5 f6 f7 f8 f9** — Editor, Terminal, Playground, Explorer, Quiz
- **enter** or **space** — mark or unmark a quiz answer (Tab goes to the next question)
- **ctrl+c** — stop the command running in the terminal
- **↑ ↓** — terminal history
- **r, delete** — refresh, delete (explorer)
- **ctrl+p** — command palette: every action, themes, solve, reset, latency, exports
- **ctrl+l** — switch language (English / português)
- **esc** — back
- **ctrl+q** — quit (the local cloud stops with the app; your work is kept)

Everything also works with the mouse: click tabs, buttons, steps, files and resources.
""",
    "pt-BR": """\
Labs práticos dos fundamentos de IA generativa na AWS, numa nuvem local que roda neste computador.
Trabalhe nas abas **Editor**, **Terminal**, **Playground** e **Explorador** e depois aperte **Verificar**.

- **enter** — abre o lab selecionado
- **/** — busca nos labs
- **ctrl+k** — verifica o lab (roda o avaliador)
- **f4** — mostra a próxima dica do passo atual
- **ctrl+s** — salva o arquivo do editor
- **ctrl+d** — implanta a função do lab (labs de Lambda)
- **f2** — alterna painéis: ambos / instruções / workspace
- **f3** — um passo / todos os passos
- **f5 f6 f7 f8 f9** — Editor, Terminal, Playground, Explorador, Quiz
- **enter** ou **espaço** — marca ou desmarca uma resposta do quiz (Tab vai para a próxima pergunta)
- **ctrl+c** — interrompe o comando do terminal
- **↑ ↓** — histórico do terminal
- **r, delete** — atualizar, excluir (explorador)
- **ctrl+p** — paleta de comandos: todas as ações, temas, resolver, reiniciar, latência, exports
- **ctrl+l** — troca o idioma (English / português)
- **esc** — voltar
- **ctrl+q** — sair (a nuvem local para junto; seu trabalho fica salvo)

Tudo também funciona com o mouse: clique em abas, botões, passos, arquivos e recursos.
""",
}


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "close", id="close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Markdown(HELP[i18n.get_lang()], id="help-text")

    def on_mount(self) -> None:
        localize_bindings(self)
        follow_language(self, self.apply_language)
        self.query_one("#help-box").border_title = t("help.title")
        self.query_one("#help-box").border_subtitle = "esc"

    async def action_dismiss(self, result=None) -> None:
        self.dismiss(None)

    def apply_language(self) -> None:
        self.query_one("#help-box").border_title = t("help.title")
        self.query_one(Markdown).update(HELP[i18n.get_lang()])
