"""A labelled evaluation set for the simulated Bedrock's meaning engines (embeddings and few-shot), in the course's
kind of text: HR policies, FAQs, support tickets, product text, in pt-BR and en. Used by the tests and printed by
``bench/bench_bedrock.py``. Pairs share no content word unless noted.
"""

# Paraphrases: the same meaning, no content word in common.
PARAPHRASES = [
    ("How much does the premium plan cost?", "What is the price of the premium subscription?"),
    ("I want my money back.", "Please refund my purchase."),
    ("My package hasn't arrived yet.", "The delivery is late."),
    ("The app keeps crashing.", "The application freezes all the time."),
    ("Can I work from home on Fridays?", "Is remote work allowed on Fridays?"),
    ("How many vacation days do employees get?", "How much paid time off does the staff receive?"),
    ("I forgot my password.", "I can't remember my credentials."),
    ("Quanto custa o plano anual?", "Qual é o preço da assinatura de um ano?"),
    ("Quero cancelar minha assinatura.", "Desejo encerrar meu plano."),
    ("O pedido chegou quebrado.", "A encomenda veio com defeito."),
    ("Fui cobrado duas vezes no cartão.", "Minha fatura mostra um pagamento duplicado."),
    ("Quantos dias de férias eu tenho?", "Qual é o meu direito a folga remunerada?"),
    ("O aplicativo trava ao abrir.", "O app congela quando inicia."),
    ("Meu gestor precisa aprovar o home office?", "O trabalho remoto depende da autorização do chefe?"),
]

# Translations: a pt-BR sentence and its English translation.
TRANSLATIONS = [
    ("A empresa reembolsa compras em até 30 dias.", "The company refunds purchases within 30 days."),
    ("O trabalho remoto é permitido três dias por semana.", "Remote work is allowed three days a week."),
    ("As senhas devem ter pelo menos doze caracteres.", "Passwords must have at least twelve characters."),
    ("A entrega está atrasada.", "The delivery is late."),
    ("Os funcionários recebem trinta dias de férias por ano.", "Employees receive thirty vacation days per year."),
    ("O produto chegou com defeito.", "The product arrived defective."),
    ("O Amazon Bedrock cobra por token de entrada e de saída.", "Amazon Bedrock charges per input and output token."),
    ("Quero cancelar minha assinatura.", "I want to cancel my subscription."),
    ("A garantia cobre defeitos de fabricação por um ano.", "The warranty covers manufacturing defects for one year."),
    ("O reembolso de despesas de viagem exige notas fiscais.", "Travel expense reimbursement requires receipts."),
]

# Unrelated pairs: different topics.
UNRELATED = [
    ("How much does the premium plan cost?", "The app keeps crashing."),
    ("I want my money back.", "Remote work is allowed on Fridays."),
    ("Quantos dias de férias eu tenho?", "O aplicativo trava ao abrir."),
    ("Passwords must have at least twelve characters.", "The delivery is late."),
    ("A garantia cobre defeitos de fabricação.", "Os funcionários recebem um bônus anual."),
    ("What is the weather in Lisbon?", "Please refund my purchase."),
    ("O Amazon Bedrock cobra por token.", "Meu gestor precisa aprovar as férias?"),
    ("The camera takes great photos.", "My salary was not paid this month."),
    ("Fui cobrado duas vezes no cartão.", "O trabalho remoto é permitido."),
    ("How do I encrypt an S3 bucket?", "The hotel booking for the business trip is confirmed."),
]

# Negations: a sentence and its negation (close, never identical).
NEGATIONS = [
    ("The product is good.", "The product is not good."),
    ("Remote work is allowed.", "Remote work is not allowed."),
    ("O pedido chegou no prazo.", "O pedido não chegou no prazo."),
    ("I recommend this store.", "I do not recommend this store."),
]

# Retrieval: questions and the document that answers them (little or no keyword overlap with it).
DOCUMENTS = {
    "ferias": "A Zentrix concede 30 dias de descanso remunerado por ano a cada colaborador, que podem ser divididos em até três períodos.",
    "home-office": "O trabalho remoto é permitido até três dias por semana, com aprovação do gestor.",
    "reembolso": "Despesas de viagem são ressarcidas em até 15 dias após a entrega das notas fiscais.",
    "senhas": "As credenciais de acesso devem ter pelo menos 12 caracteres e ser trocadas a cada 90 dias.",
    "refunds": "Customers may return any item within 30 days and get their money back.",
    "shipping": "Orders are shipped by courier and usually arrive in 3 to 5 business days.",
    "warranty": "Every device carries a one-year guarantee against manufacturing defects.",
    "pricing": "The premium subscription is billed at 49 reais per month.",
    "outage": "If the application freezes, clear its cache and reinstall it.",
}
RETRIEVAL = [
    ("Quantos dias de férias eu tenho?", "ferias"),
    ("Posso trabalhar de casa?", "home-office"),
    ("Como recebo de volta o dinheiro de uma viagem a trabalho?", "reembolso"),
    ("Com que frequência preciso mudar minha senha?", "senhas"),
    ("Can I get a refund if I don't like the product?", "refunds"),
    ("When will my package be delivered?", "shipping"),
    ("Is a broken phone covered by the warranty?", "warranty"),
    ("How much does the premium plan cost?", "pricing"),
    ("The app keeps crashing, what should I do?", "outage"),
    ("What do I do if my delivery is late?", "shipping"),
    ("How long do I have to return something I bought?", "refunds"),
    ("Quanto custa a assinatura premium?", "pricing"),
]

# Support tickets in pt-BR with custom labels (codes a model cannot guess from their names).
TICKET_LABELS = ("FIN-01", "LOG-02", "TEC-03", "ACC-04")
TICKET_EXAMPLES = [
    ("Fui cobrado duas vezes na fatura deste mês.", "FIN-01"),
    ("O boleto veio com valor errado.", "FIN-01"),
    ("Meu pedido ainda não chegou.", "LOG-02"),
    ("A transportadora perdeu minha encomenda.", "LOG-02"),
    ("O aplicativo trava quando abro o carrinho.", "TEC-03"),
    ("O site mostra uma página de erro.", "TEC-03"),
    ("Esqueci minha senha e não consigo entrar.", "ACC-04"),
    ("Quero mudar o e-mail do meu cadastro.", "ACC-04"),
]
TICKETS = [
    ("Apareceu uma cobrança que não reconheço no meu cartão.", "FIN-01"),
    ("Paguei o pix mas o pagamento não foi confirmado.", "FIN-01"),
    ("A entrega está atrasada há uma semana.", "LOG-02"),
    ("O rastreio não atualiza desde segunda-feira.", "LOG-02"),
    ("O app fecha sozinho toda vez que abro.", "TEC-03"),
    ("A página de pagamento dá erro 500.", "TEC-03"),
    ("Minha conta foi bloqueada depois de três tentativas.", "ACC-04"),
    ("Preciso alterar meu telefone no perfil.", "ACC-04"),
]
