"""Everything the simulated community says: personas, templates and their slots.

All texts were written for Parvis (no third-party data). They play the public
of a chamber of commerce and industry in Lyon: shopkeepers, craftspeople,
founders, students, a few English-speaking expats, spammers and two trolls.

Templates hold `{slots}` filled from `SLOTS` (`{event}`, `{advisor}`, `{emoji}`,
`{ref}`...). Question families are paraphrases: every wording of one family asks
the same thing, so their slots are cosmetic only and never change the meaning.
The mention of the organisation, greetings and sign-offs are added by the
script, not written here. Links point to reserved `.example` domains.
"""

from __future__ import annotations

from dataclasses import dataclass

from parvis.simulator.records import Label


@dataclass(frozen=True)
class Persona:
    handle: str  # a Mastodon username: letters, digits and underscores
    display_name: str
    bio: str
    language: str = "fr"
    role: str = "member"  # "member", "spammer" or "troll"


@dataclass(frozen=True)
class QuestionFamily:
    """One question asked in several wordings (paraphrases)."""

    id: str
    language: str
    wordings: tuple[str, ...]


Line = tuple[str, Label]

# --- people ---------------------------------------------------------------------------------------

MEMBERS_FR: tuple[Persona, ...] = (
    Persona("claire_dumont", "Claire Dumont", "Fleuriste à la Croix-Rousse 🌷"),
    Persona("mehdi_benali", "Mehdi Benali", "Développeur freelance, Villeurbanne."),
    Persona("sophie_martin69", "Sophie Martin", "Gérante d'un salon de thé, Lyon 2e."),
    Persona("julien_roux", "Julien Roux", "Artisan menuisier. Ébéniste le week-end."),
    Persona("nathalie_girard", "Nathalie Girard", "Expert-comptable, passionnée de vélo."),
    Persona("thomas_lefebvre", "Thomas Lefebvre", "Porteur de projet food-truck 🚚"),
    Persona("amina_diallo", "Amina Diallo", "Créatrice de bijoux, boutique en ligne."),
    Persona("pierre_chevalier", "Pierre Chevalier", "Retraité, bénévole auprès des créateurs d'entreprise."),
    Persona("lea_fontaine", "Léa Fontaine", "Étudiante en alternance, commerce international."),
    Persona("karim_haddad", "Karim Haddad", "Boulanger-pâtissier à Vaise 🥐"),
    Persona("isabelle_moreau", "Isabelle Moreau", "DRH d'une PME industrielle."),
    Persona("antoine_blanc", "Antoine Blanc", "Cofondateur d'une jeune pousse SaaS B2B."),
    Persona("manon_perrin", "Manon Perrin", "Photographe indépendante."),
    Persona("hugo_garnier", "Hugo Garnier", "Caviste sur la Presqu'île 🍷"),
    Persona("fatou_ndiaye", "Fatou Ndiaye", "Consultante RSE."),
    Persona("olivier_mercier", "Olivier Mercier", "Dirigeant d'une entreprise de transport."),
    Persona("chloe_bertrand", "Chloé Bertrand", "Graphiste, ateliers partagés."),
    Persona("yannick_lucas", "Yannick Lucas", "Plombier-chauffagiste, quinze ans de métier."),
    Persona("sarah_cohen", "Sarah Cohen", "Avocate en droit des affaires."),
    Persona("kevin_morel", "Kévin Morel", "Gérant d'une salle d'escalade."),
    Persona("ines_bouzid", "Inès Bouzid", "Pharmacienne, Lyon 8e."),
    Persona("francois_david", "François David", "Importateur de thés, export vers l'Asie."),
    Persona("laura_picard", "Laura Picard", "Organisatrice de mariages 💍"),
    Persona("maxime_faure", "Maxime Faure", "Commercial, toujours entre deux rendez-vous."),
    Persona("samira_rahmani", "Samira Rahmani", "Auto-entrepreneuse : couture et retouches."),
    Persona("bruno_lambert", "Bruno Lambert", "Bouchon lyonnais depuis 1998."),
    Persona("elodie_robin", "Élodie Robin", "Chargée de communication dans une association."),
    Persona("guillaume_henry", "Guillaume Henry", "Repreneur d'entreprise (en cours !)."),
    Persona("aurelie_gauthier", "Aurélie Gauthier", "Architecte d'intérieur."),
    Persona("romain_masson", "Romain Masson", "Jeune diplômé, projet de micro-brasserie 🍺"),
    Persona("valerie_noel", "Valérie Noël", "Présidente de l'union des commerçants du quartier."),
    Persona("jeanmarc_vidal", "Jean-Marc Vidal", "Ancien cadre, en reconversion."),
    Persona("lucie_arnaud", "Lucie Arnaud", "Libraire indépendante 📚"),
    Persona("said_belkacem", "Saïd Belkacem", "Chauffeur VTC, papa de trois enfants."),
)

MEMBERS_EN: tuple[Persona, ...] = (
    Persona("james_whitaker", "James Whitaker", "British expat running a language school in Lyon.", "en"),
    Persona("emily_carter", "Emily Carter", "Canadian founder, moving my company to France.", "en"),
    Persona("daniel_okafor", "Daniel Okafor", "Export manager between Lagos and Lyon.", "en"),
    Persona("anna_schmidt", "Anna Schmidt", "Event organiser. Learning French, posting in English.", "en"),
)

SPAMMERS: tuple[Persona, ...] = (
    Persona("crypto_gains_pro", "💰 Crypto Gains PRO", "x100 garanti 🚀🚀🚀", "fr", "spammer"),
    Persona("promo_flash_deals", "Promo Flash Deals", "Les meilleures offres du web, chaque jour.", "fr", "spammer"),
    Persona("followers_boost", "Boost Followers 🔥", "Get 10k followers today!", "en", "spammer"),
    Persona("seo_master_2000", "SEO Master", "Première page Google en 48 h.", "fr", "spammer"),
)

TROLLS: tuple[Persona, ...] = (
    Persona("le_vrai_patron", "Le Vrai Patron", "Je dis ce que je pense.", "fr", "troll"),
    Persona("ras_le_bol_69", "Ras le bol", "Contribuable en colère.", "fr", "troll"),
)

# --- slots ----------------------------------------------------------------------------------------

SLOTS: dict[str, tuple[str, ...]] = {
    "event": (
        "le Salon des entrepreneurs",
        "l'afterwork de jeudi",
        "l'atelier export",
        "le webinaire sur la facturation électronique",
        "la Nuit de la création",
        "la matinale RH",
        "le forum de l'alternance",
    ),
    "event_en": (
        "the entrepreneurs' fair",
        "Thursday's afterwork",
        "the export workshop",
        "the e-invoicing webinar",
    ),
    "advisor": ("Sandrine", "Marc", "Hélène", "Rachid", "Nicolas", "Aïcha", "l'équipe de l'accueil"),
    "emoji": ("🙂", "😊", "👍", "👏", "🎉", "🙌"),
    "tags": ("#Lyon", "#entrepreneuriat", "#commerce", "#CCI", "#TPE", "#export"),
}

GREETINGS: dict[str, tuple[str, ...]] = {
    "fr": ("Bonjour", "Bonjour", "Salut", "Hello", "Bonsoir", "Coucou"),
    "en": ("Hi", "Hello", "Hey", "Good morning"),
}

SIGNOFFS: dict[str, tuple[str, ...]] = {
    "fr": ("Merci !", "Merci d'avance.", "Merci 🙏", "Bonne journée !", "Merci pour votre retour.", "Merci beaucoup."),
    "en": ("Thanks!", "Thanks in advance.", "Cheers", "Many thanks."),
}

# --- questions ------------------------------------------------------------------------------------

QUESTION_FAMILIES: tuple[QuestionFamily, ...] = (
    QuestionFamily(
        "hours-saturday",
        "fr",
        (
            "Vous êtes ouverts le samedi matin ?",
            "Est-ce que l'accueil est ouvert le samedi ?",
            "Quels sont vos horaires d'ouverture le samedi ?",
            "On peut passer vous voir un samedi ou c'est fermé le week-end ?",
            "L'accueil du public, c'est aussi le samedi ou seulement en semaine ?",
            "C'est ouvert samedi ? J'ai un dossier à déposer.",
        ),
    ),
    QuestionFamily(
        "hours-summer",
        "fr",
        (
            "Est-ce que vous fermez en août ?",
            "Quels sont vos horaires pendant les vacances d'été ?",
            "Vous restez ouverts cet été ou il y a une fermeture estivale ?",
            "Je voudrais passer mi-août, vos bureaux seront ouverts ?",
            "Y a-t-il des horaires réduits en juillet-août ?",
        ),
    ),
    QuestionFamily(
        "price-training",
        "fr",
        (
            "Combien coûte la formation « 5 jours pour entreprendre » ?",
            "Quel est le tarif de la formation 5 jours pour entreprendre ?",
            "La formation 5 jours pour entreprendre, c'est payant ? Si oui, combien ?",
            "La formation de cinq jours pour les créateurs d'entreprise, c'est à quel prix ?",
            "Vous pouvez me dire le prix de la formation 5 jours pour entreprendre ?",
        ),
    ),
    QuestionFamily(
        "register-salon",
        "fr",
        (
            "Comment on s'inscrit au Salon des entrepreneurs ?",
            "Où peut-on s'inscrire pour le Salon des entrepreneurs ?",
            "Les inscriptions pour le Salon des entrepreneurs sont ouvertes ? Je ne trouve pas le lien.",
            "Je voudrais participer au Salon des entrepreneurs, il faut s'inscrire où ?",
            "Il y a un formulaire d'inscription pour le Salon des entrepreneurs ?",
            "Besoin du lien pour s'inscrire au Salon des entrepreneurs svp",
        ),
    ),
    QuestionFamily(
        "register-afterwork",
        "fr",
        (
            "Jusqu'à quand peut-on s'inscrire à l'afterwork de jeudi ?",
            "Il reste des places pour l'afterwork de jeudi ?",
            "C'est trop tard pour s'inscrire à l'afterwork de jeudi soir ?",
            "L'afterwork de jeudi est complet ou on peut encore s'inscrire ?",
        ),
    ),
    QuestionFamily(
        "access-wheelchair",
        "fr",
        (
            "Vos locaux sont-ils accessibles en fauteuil roulant ?",
            "Est-ce que le bâtiment est accessible aux personnes à mobilité réduite ?",
            "Il y a un ascenseur pour accéder aux salles de formation ? Je suis en fauteuil.",
            "Accès PMR possible dans vos locaux ?",
            "Ma mère est en fauteuil : pourra-t-elle accéder à la salle de conférence ?",
        ),
    ),
    QuestionFamily(
        "access-parking",
        "fr",
        (
            "Il y a un parking près de vos locaux ?",
            "Où peut-on se garer quand on vient à un rendez-vous chez vous ?",
            "Vous avez des places de stationnement pour les visiteurs ?",
            "On peut se garer facilement près de la place de la Bourse ?",
            "Un parking à proximité pour venir à la formation ?",
        ),
    ),
    QuestionFamily(
        "delivery-ata",
        "fr",
        (
            "Quel est le délai pour obtenir un carnet ATA ?",
            "En combien de temps est délivré un carnet ATA ? Je pars sur un salon à l'étranger dans dix jours.",
            "Un carnet ATA, c'est combien de jours de délai en ce moment ?",
            "Si je fais ma demande de carnet ATA aujourd'hui, je l'aurai quand ?",
            "Les délais de délivrance des carnets ATA sont de combien ?",
        ),
    ),
    QuestionFamily(
        "delivery-certificate",
        "fr",
        (
            "Mon certificat d'origine n'est toujours pas arrivé par la poste, c'est normal ?",
            "Vous envoyez les certificats d'origine par courrier ? Le mien n'est pas arrivé.",
            "Ça fait une semaine que j'attends mon certificat d'origine par courrier, une idée du délai ?",
            "Comment suivre l'envoi de mon certificat d'origine ? Toujours rien reçu.",
            "Certificat d'origine commandé il y a huit jours, pas encore livré. C'est quoi le délai ?",
        ),
    ),
    QuestionFamily(
        "membership-fee",
        "fr",
        (
            "Combien coûte l'adhésion au club des entreprises ?",
            "Quel est le montant de la cotisation annuelle pour le club des entreprises ?",
            "L'adhésion au club des entreprises, c'est quel tarif pour une TPE ?",
            "C'est combien la cotisation pour rejoindre le club des entreprises ?",
            "Le tarif d'adhésion au club des entreprises est le même pour un auto-entrepreneur ?",
        ),
    ),
    QuestionFamily(
        "formalities-creation",
        "fr",
        (
            "Pour créer mon entreprise, je dois passer par vous ou par le guichet unique ?",
            "C'est encore vous qui vous occupez des formalités de création d'entreprise ?",
            "Où faire les démarches d'immatriculation maintenant ? Chez vous ou en ligne ?",
            "Vous pouvez m'aider à faire les formalités de création de ma société ?",
            "Qui gère l'immatriculation d'une entreprise depuis le guichet unique, c'est toujours vous ?",
        ),
    ),
    QuestionFamily(
        "webinar-replay",
        "fr",
        (
            "Y a-t-il un replay du webinaire sur la facturation électronique ?",
            "J'ai raté le webinaire facturation électronique, il est disponible en rediffusion ?",
            "Le webinaire sur la facture électronique a été enregistré ?",
            "Où trouver la vidéo du webinaire facturation électronique ?",
            "Vous allez partager le replay du webinaire sur la facturation électronique ?",
        ),
    ),
    QuestionFamily(
        "contact-advisor",
        "fr",
        (
            "Quel numéro appeler pour joindre un conseiller ?",
            "Comment contacter directement un conseiller entreprise ?",
            "J'essaie de vous joindre par téléphone depuis ce matin, il y a un autre numéro ?",
            "Il y a une adresse mail pour écrire à un conseiller ?",
            "Comment on fait pour parler à quelqu'un chez vous ? Le standard ne répond pas.",
        ),
    ),
    QuestionFamily(
        "apprenticeship-aid",
        "fr",
        (
            "Quelles aides pour embaucher un apprenti cette année ?",
            "Est-ce que l'aide à l'embauche d'un alternant existe toujours ?",
            "Je veux prendre un apprenti à la rentrée, vous pouvez m'expliquer les aides ?",
            "Il y a encore une prime pour l'embauche en alternance ?",
            "Combien touche une entreprise qui recrute un apprenti en ce moment ?",
        ),
    ),
    QuestionFamily(
        "refund-cancel",
        "fr",
        (
            "Comment annuler mon inscription à une formation et être remboursé ?",
            "Je ne peux plus venir à la formation, vous remboursez ?",
            "Quelle est la procédure d'annulation pour une formation déjà payée ?",
            "Si j'annule ma place à l'atelier, je récupère mon argent ?",
            "Est-ce qu'on peut se faire rembourser une formation en cas d'annulation ?",
        ),
    ),
    QuestionFamily(
        "invoice",
        "fr",
        (
            "Comment obtenir une facture pour mon inscription ?",
            "Je n'ai pas reçu de facture après mon paiement, où la trouver ?",
            "Mon comptable me demande la facture de la formation, vous pouvez me l'envoyer ?",
            "Où télécharger la facture de mon inscription à l'atelier ?",
            "Une facture est envoyée automatiquement après l'inscription ?",
        ),
    ),
    QuestionFamily(
        "hours-saturday-en",
        "en",
        (
            "What are your opening hours on Saturdays?",
            "Are you open on Saturday mornings?",
            "Is the front desk open at the weekend?",
            "Can I drop by on a Saturday or are you closed?",
        ),
    ),
    QuestionFamily(
        "english-advisor-en",
        "en",
        (
            "Is there an advisor who speaks English? My French is not great yet.",
            "Can I get help in English to register my company?",
            "Do you offer business support in English?",
            "Does anyone at your office speak English? I need help with the paperwork.",
        ),
    ),
    QuestionFamily(
        "register-salon-en",
        "en",
        (
            "How do I register for the Salon des entrepreneurs?",
            "Where can I sign up for the entrepreneurs' fair?",
            "Is registration open for the Salon des entrepreneurs? I can't find the link.",
            "I'd like to attend the Salon des entrepreneurs, where do I sign up?",
        ),
    ),
    QuestionFamily(
        "access-wheelchair-en",
        "en",
        (
            "Is your building wheelchair accessible?",
            "Do you have step-free access to the conference room?",
            "Is there a lift for wheelchair users?",
            "Can someone in a wheelchair get into your training rooms?",
        ),
    ),
)

# Questions asked once, outside any paraphrase family.
QUESTIONS_FREE: dict[str, tuple[str, ...]] = {
    "fr": (
        "Est-ce que {event} sera retransmis en ligne ?",
        "C'est gratuit pour les adhérents, {event} ?",
        "Quel est le programme pour {event} ?",
        "On peut venir accompagné pour {event} ?",
        "À quelle heure commence {event} ?",
        "Vous cherchez des bénévoles pour {event} ?",
        "Qui intervient pour {event} ?",
        "Vous proposez des formations en anglais des affaires ?",
        "Est-ce que vous accompagnez les reprises d'entreprise ?",
        "Vous avez une liste des locaux commerciaux disponibles dans le 7e ?",
        "Comment devient-on formateur chez vous ?",
        "Les ateliers sont-ils ouverts aux porteurs de projet qui n'ont pas encore créé ?",
    ),
    "en": (
        "Will {event_en} be streamed online?",
        "Is {event_en} free for members?",
        "What time does {event_en} start?",
    ),
}

# --- what else people say -------------------------------------------------------------------------

PRAISE: dict[str, tuple[str, ...]] = {
    "fr": (
        "Merci pour {event}, super organisation ! {emoji}",
        "Un grand bravo à toute l'équipe, c'était top.",
        "Très bon accueil ce matin, merci à {advisor} pour sa patience !",
        "Des conseils précieux pour mon projet de création, merci beaucoup.",
        "Grâce à votre accompagnement, ma boutique ouvre lundi ! Merci 🎉",
        "Formation au top, formateur passionnant. Je recommande !",
        "Réponse rapide et claire, ça fait plaisir. Merci !",
        "Rencontré trois futurs clients hier grâce à vous. Merci ! {emoji}",
        "Merci {advisor} pour le coup de main sur mon dossier export, vous m'avez sauvé la mise.",
        "Toujours un plaisir de travailler avec vous. Vive les entrepreneurs lyonnais ! {tags}",
        "Je ne connaissais pas vos ateliers, quelle belle découverte. Merci !",
        "Bravo pour le nouveau site, enfin on trouve tout facilement 👏",
        "Merci d'avoir relayé notre ouverture, ça nous a amené du monde !",
        "Accompagnement humain et efficace, merci pour tout.",
        "Les conseils de {advisor} sur le business plan m'ont vraiment reboosté. Merci !",
        "Belle soirée hier, ambiance conviviale et vraies rencontres. {emoji}",
        "Vous avez été d'une aide précieuse pour mon carnet ATA, merci !",
        "Vivement {event} ! L'an dernier c'était génial. {tags}",
    ),
    "en": (
        "Great event last night, thanks for organising! {emoji}",
        "Really helpful advice on setting up my business, thank you!",
        "Thanks for the warm welcome at the front desk today.",
        "Excellent workshop, very practical. Highly recommend.",
        "Thanks to {advisor} for the help with my export paperwork!",
    ),
}

CRITICISM: dict[str, tuple[str, ...]] = {
    "fr": (
        "Un peu déçu par {event} : beaucoup de monde, peu d'échanges. Dommage.",
        "Trois jours que j'attends une réponse à mon mail… Pouvez-vous regarder ?",
        "Le formulaire d'inscription en ligne ne fonctionne pas sur mobile.",
        "La salle était trop petite, beaucoup de participants sont restés debout.",
        "Le prix de la formation a augmenté de 30 % sans explication, c'est dommage.",
        "Impossible de trouver vos horaires sur le site, ce serait bien de les mettre en évidence.",
        "Le replay promis n'a jamais été envoyé.",
        "Votre standard sonne dans le vide depuis ce matin.",
        "Dommage que tout se passe en semaine, les artisans ne peuvent jamais venir.",
        "J'ai reçu deux factures différentes pour la même inscription, il y a un souci.",
        "La newsletter arrive toujours après l'événement qu'elle annonce…",
        "Le parking visiteurs était fermé, j'ai raté le début de l'atelier.",
        "Pas de version accessible de vos documents PDF, c'est compliqué pour les personnes malvoyantes.",
        "Intervenant intéressant, mais le son était mauvais pendant le webinaire.",
        "On m'a renvoyé trois fois vers un autre service. Qui gère vraiment les carnets ATA ?",
        "Délais d'attente trop longs pour un simple certificat d'origine.",
    ),
    "en": (
        "Your website is only in French, it's hard for newcomers.",
        "Still waiting for an answer to my email from last week.",
        "The registration form keeps crashing on my phone.",
    ),
}

AGGRESSIVE: dict[str, tuple[str, ...]] = {
    "fr": (
        "TROIS SEMAINES sans réponse. Vous vous fichez des petits commerçants ou quoi ?!",
        "C'est une honte, j'ai payé la formation et personne n'est capable de me dire quand elle commence !!",
        "Franchement, votre service client est catastrophique. Je vais finir par aller voir ailleurs.",
        "On paie des cotisations pour quoi au juste ? Pour des afterworks ? Sérieusement ?",
        "Ça fait dix fois que j'appelle. DIX FOIS. Personne ne décroche.",
        "Votre site est en panne depuis deux jours et vous publiez des photos de cocktails. Belles priorités…",
        "Ras-le-bol de vos formulaires qui plantent à chaque fois !!!",
        "Mon certificat est bloqué et mon client étranger menace d'annuler la commande. Bougez-vous !",
        "Vous annulez l'atelier la veille et sans remboursement ? Inadmissible.",
        "Je suis furieux : on m'a donné une mauvaise information et j'ai raté la date limite.",
        "Encore une hausse des tarifs ? Les petites entreprises n'en peuvent plus !",
        "Arrêtez de communiquer et répondez à vos mails !",
    ),
    "en": (
        "Three weeks and NO reply. Is anyone actually working there?!",
        "This is ridiculous, I paid and I still have no date for the training!",
    ),
}

INSULTS: dict[str, tuple[str, ...]] = {
    "fr": (
        "Bande d'incapables, toujours pas de réponse.",
        "Vous êtes des escrocs, rendez-moi mon argent.",
        "Une belle bande de guignols, voilà ce que vous êtes.",
        "Bande de bras cassés, même pas fichus de répondre au téléphone.",
        "Des clowns. Rien d'autre à dire.",
        "Nuls, nuls, nuls. Vous êtes vraiment des nuls.",
        "Vous êtes des incompétents, tout le monde le sait.",
        "Des voleurs en costard, voilà ce que vous êtes.",
        "Tocards ! Trois mois pour un papier…",
    ),
    "en": (
        "You are a bunch of clowns.",
        "Useless, the lot of you.",
    ),
}

SPAM: dict[str, tuple[str, ...]] = {
    "fr": (
        "🚀 Gagnez 5000 €/semaine avec la crypto, méthode secrète ici : https://crypto-x100.example/go",
        "PROMO FLASH -90 % sur les smartphones !!! Seulement aujourd'hui 👉 https://promo-flash.example/phone",
        "Vous voulez 10 000 abonnés ? Boostez votre compte maintenant : https://boost-followers.example",
        "Félicitations ! Vous avez gagné un bon d'achat de 500 €. Réclamez-le ici : https://cadeau-gratuit.example/win",
        "Première page Google en 48 h, garanti ou remboursé ! https://seo-master.example",
        "Investissez dans le Bitcoin dès 250 €, rendement garanti 40 % 📈 https://bitcoin-rendement.example",
        "Travaillez depuis chez vous et gagnez 300 € par jour, sans diplôme ! https://job-facile.example",
        "Code promo exclusif LUXE90 sur toutes les montres de luxe ⌚ https://montres-luxe.example",
        "🔥 Airdrop de jetons gratuits pour les 1000 premiers, connectez votre portefeuille : https://free-airdrop.example/claim",
        "Crédit sans justificatif accepté en 24 h, taux imbattable : https://credit-rapide.example",
    ),
    "en": (
        "🚀 Turn $100 into $10,000 with our AI crypto bot! https://crypto-x100.example/ai",
        "Get 10k real followers in 24h!!! https://boost-followers.example/now",
        "Congratulations, you won a free tablet! Claim it here: https://free-gift.example/tablet",
        "Make $500/day from home, no experience needed: https://easy-money.example",
        "Exclusive NFT drop, only 100 left 💎 https://nft-drop.example",
    ),
}

SPAM_TAGS: tuple[str, ...] = ("#crypto #bitcoin", "#promo #bonplan", "#business #money", "#followback", "")

OTHER: dict[str, tuple[str, ...]] = {
    "fr": (
        "Je serai au Salon des entrepreneurs, qui d'autre y va ? {emoji}",
        "Petit rappel pour ceux qui hésitent : les inscriptions ferment bientôt !",
        "Partagé avec mon réseau, ça peut intéresser des créateurs du coin.",
        "Nouvelle adresse pour notre atelier : on a déménagé rue de la République !",
        "Je découvre votre compte, je m'abonne.",
        "Inscription faite pour {event} ✅",
        "On se retrouve au stand 12 pendant le salon, venez dire bonjour !",
        "Je relaie : notre boulangerie recrute un apprenti pâtissier 🥐 {tags}",
        "Les photos de {event} sont en ligne sur ma page 📸",
        "Vivement {event}. {emoji}",
    ),
    "en": (
        "See you at the entrepreneurs' fair next week!",
        "Just followed, looking forward to your events.",
        "Sharing this with my network of expats in Lyon.",
    ),
}

# The one hostile message carrying markup: the demo shows it is rendered as text, never run.
XSS_TEXT = 'Votre formulaire est une passoire, regardez : <script>alert("xss")</script> Bravo la sécurité !'

# --- threads, comments, private messages ----------------------------------------------------------

# Answers of one member to another member's post, by the label of that post.
REPLIES: dict[str, dict[Label, tuple[Line, ...]]] = {
    "fr": {
        Label.QUESTION: (
            ("+1, je me pose exactement la même question.", Label.QUESTION),
            ("Même question ici, pas de réponse de mon côté non plus.", Label.QUESTION),
            ("Bonne question, je suis preneur de la réponse aussi !", Label.QUESTION),
            ("Je crois que c'est indiqué sur leur site, rubrique « Contact ».", Label.OTHER),
            ("De mémoire c'était le cas l'an dernier, mais à confirmer par l'équipe.", Label.OTHER),
            ("Je me suis posé la question la semaine dernière, ils m'ont répondu assez vite par mail.", Label.OTHER),
        ),
        Label.PRAISE: (
            ("Pareil, super expérience !", Label.PRAISE),
            ("Entièrement d'accord 👏", Label.PRAISE),
            ("Ravie de lire ça, on y était aussi !", Label.PRAISE),
            ("Ah oui, c'était vraiment bien !", Label.PRAISE),
        ),
        Label.CRITICISM: (
            ("Même souci pour moi, c'est agaçant.", Label.CRITICISM),
            ("Pareil, j'ai attendu une semaine.", Label.CRITICISM),
            ("Ah bon ? Moi ça s'est très bien passé.", Label.OTHER),
            ("Vous avez essayé de les appeler directement ? Ils sont plutôt réactifs d'habitude.", Label.OTHER),
        ),
        Label.AGGRESSIVE: (
            ("Je comprends l'énervement, mais ils font ce qu'ils peuvent.", Label.OTHER),
            ("Du calme, ça va s'arranger…", Label.OTHER),
            ("Tout à fait d'accord, ça ne peut plus durer.", Label.CRITICISM),
            ("Pareil, c'est inadmissible !!", Label.AGGRESSIVE),
        ),
        Label.INSULT: (
            ("On peut critiquer sans insulter…", Label.OTHER),
            ("Ce ton n'aide personne.", Label.OTHER),
            ("Un peu de respect pour les équipes, s'il vous plaît.", Label.OTHER),
        ),
        Label.SPAM: (
            ("Spam, signalé.", Label.OTHER),
            ("Encore un bot… 🙄", Label.OTHER),
            ("Ne cliquez pas sur ce lien, c'est une arnaque.", Label.OTHER),
        ),
        Label.OTHER: (
            ("J'y serai aussi !", Label.OTHER),
            ("Merci pour le partage !", Label.OTHER),
            ("Super, à bientôt alors 🙂", Label.OTHER),
            ("Bonne nouvelle !", Label.OTHER),
        ),
    },
    "en": {
        Label.QUESTION: (
            ("Same question here!", Label.QUESTION),
            ("I think it's on their website, under Contact.", Label.OTHER),
        ),
        Label.PRAISE: (("Totally agree, it was great!", Label.PRAISE),),
        Label.CRITICISM: (("Same problem for me.", Label.CRITICISM),),
        Label.AGGRESSIVE: (("I get the frustration, but they usually do answer.", Label.OTHER),),
        Label.INSULT: (("No need to be rude.", Label.OTHER),),
        Label.SPAM: (("Spam, reported.", Label.OTHER),),
        Label.OTHER: (("See you there!", Label.OTHER), ("Thanks for sharing!", Label.OTHER)),
    },
}

# Answers under the organisation's own posts.
COMMENTS: dict[str, tuple[Line, ...]] = {
    "fr": (
        ("Super initiative, bravo !", Label.PRAISE),
        ("Merci pour l'info 👍", Label.PRAISE),
        ("Top, j'en parle autour de moi !", Label.PRAISE),
        ("Et pour ceux qui travaillent en journée, il y aura une session le soir ?", Label.QUESTION),
        ("Il reste des places ?", Label.QUESTION),
        ("C'est payant ?", Label.QUESTION),
        ("Dommage que ce soit annoncé si tard.", Label.CRITICISM),
        ("Encore un événement en semaine… les commerçants ne peuvent jamais venir.", Label.CRITICISM),
        ("Le lien d'inscription ne marche pas chez moi.", Label.CRITICISM),
        ("Bravo pour cette belle initiative, ça manquait.", Label.PRAISE),
        ("Ce sera filmé ?", Label.QUESTION),
        ("Pas de parking prévu ? Ça va être compliqué…", Label.CRITICISM),
        ("Partagé ! 🔁", Label.OTHER),
        ("Inscription faite ✅", Label.OTHER),
        ("Je transmets à mon réseau de commerçants.", Label.OTHER),
    ),
    "en": (
        ("Will there be a session in English?", Label.QUESTION),
        ("Great news, thanks!", Label.PRAISE),
    ),
}

# Private messages to the organisation, by label.
DIRECT_MESSAGES: dict[str, dict[Label, tuple[str, ...]]] = {
    "fr": {
        Label.QUESTION: (
            "Je vous écris en privé pour ne pas exposer mon dossier : ma demande de carnet ATA (réf. {ref}) "
            "est-elle bien arrivée ?",
            "Pouvez-vous me rappeler au sujet de mon inscription ? Je préfère ne pas mettre mon numéro en public.",
            "Je souhaiterais rencontrer un conseiller pour une reprise d'entreprise, discrètement si possible.",
            "Petite question : l'adhésion au club peut-elle être payée en plusieurs fois ?",
            "J'ai un litige avec un fournisseur, est-ce que vous proposez de la médiation ?",
            "Je voudrais changer l'adresse de facturation de mon inscription, c'est possible ?",
            "Mon dossier de formalités (réf. {ref}) est bloqué depuis dix jours, qui puis-je contacter ?",
            "Pourriez-vous m'envoyer un devis pour former trois salariés à l'export ?",
        ),
        Label.CRITICISM: (
            "Je préfère vous le dire en privé : l'accueil de ce matin n'était vraiment pas agréable.",
            "Ma facture comporte une erreur de montant (réf. {ref}), merci de la corriger.",
            "On m'avait promis un rappel hier pour le dossier {ref} et personne n'a appelé.",
        ),
        Label.PRAISE: (
            "Un petit message pour remercier {advisor} de son aide, c'était parfait.",
            "Merci encore pour l'atelier export, il m'a déjà ouvert des portes.",
        ),
        Label.SPAM: (
            "Bonjour, je peux booster vos abonnés de 300 % en un mois. Tarifs ici : https://boost-followers.example/pro",
            "Partenariat rémunéré ? Publiez notre lien et touchez 200 € : https://promo-flash.example/partner",
        ),
        Label.INSULT: ("Vous êtes des escrocs, et je vais le dire partout.",),
    },
    "en": {
        Label.QUESTION: (
            "Could someone call me back about my company registration? I'd rather not post my number publicly.",
            "I'm moving my business to Lyon and would like a meeting with an advisor.",
        ),
        Label.CRITICISM: ("My invoice (ref. {ref}) has the wrong amount, could you fix it?",),
        Label.PRAISE: ("Just a private note to thank {advisor}, the help was perfect.",),
        Label.SPAM: ("Hi, I can grow your followers by 300% in a month. Prices: https://boost-followers.example/pro",),
        Label.INSULT: ("You are crooks and I will tell everyone.",),
    },
}

# --- the organisation (demo) ----------------------------------------------------------------------

# Posts the organisation's account already has on the demo server, so members can answer under them.
ORG_POSTS: tuple[str, ...] = (
    "📣 Les inscriptions au Salon des entrepreneurs sont ouvertes ! Rendez-vous le 14 mars au Centre de congrès. "
    "#Lyon #entrepreneuriat",
    "Nouveau : un webinaire chaque mardi sur la facturation électronique. Le premier a lieu la semaine prochaine, "
    "ouvert à toutes les entreprises.",
    "Nos conseillers vous accueillent du lundi au vendredi, de 9 h à 17 h 30, place de la Bourse.",
)

# --- the live event of the demo -------------------------------------------------------------------

# The event the demo covers live (seeded in Parvis by parvis.simulator.demo); the community posts
# about it with its hashtag when the simulator is given `event_hashtag`, so the live wall fills.
DEMO_EVENT_HASHTAG = "RencontresCCI"

# Its speakers have accounts on the demo's Mastodon (the simulator creates them): the live
# composer mentions them, and now and then they post with the hashtag themselves.
EVENT_SPEAKERS: tuple[Persona, ...] = (
    Persona("helene_carpentier", "Hélène Carpentier", "Directrice export, Lyon Export Services."),
    Persona("nadege_fabre", "Nadège Fabre", "Responsable RH, Textiles du Rhône."),
    Persona("yves_morin_atelier", "Yves Morin", "Fondateur de l'Atelier Morin & fils, ébénisterie."),
    Persona("samuel_ortiz", "Samuel Ortiz", "Cofondateur de Kanut, logiciels pour les commerces."),
)

# What the audience posts about the event, by what a community manager would make of it.
# Slots: {speaker} (a speaker's mention), {org} (the organisation's mention), {emoji}; the hashtag
# is added by the script.
EVENT_LINES: dict[str, dict[Label, tuple[str, ...]]] = {
    "fr": {
        Label.QUESTION: (
            "Question pour {speaker} : par où commencer quand on est une TPE qui n'a jamais exporté ?",
            "{speaker} quelles aides existent pour un premier salon à l'étranger ?",
            "Question de la salle : comment garder ses apprentis une fois diplômés ? {speaker}",
            "Est-ce que les slides de {speaker} seront partagées après la session ?",
            "{speaker} vous conseillez quel budget pour démarrer sur les marchés en ligne ?",
            "Quelqu'un sait si la session de l'après-midi est retransmise ?",
            "Pour {speaker} : la semaine de quatre jours, ça marche aussi dans l'artisanat ?",
            "Comment on fait quand on n'a pas de DRH, {speaker} ?",
        ),
        Label.PRAISE: (
            "Salle comble pour les Rencontres, bravo {org} {emoji}",
            "Super intervention de {speaker}, très concrète {emoji}",
            "Merci {org} pour l'organisation, on apprend plein de choses !",
            "Top la table ronde, enfin des exemples de PME du coin {emoji}",
        ),
        Label.OTHER: (
            "« Exporter, c'est d'abord écouter ses clients » — {speaker}",
            "Je live-tweete les Rencontres depuis le fond de la salle 📱",
            "Pause café, on se retrouve au stand des jeunes entreprises {emoji}",
            "Chiffre du jour selon {speaker} : une PME sur trois exporte déjà sans le savoir.",
            "Arrivée au Palais de la Bourse pour les Rencontres {emoji}",
            "« Le meilleur recruteur, c'est votre équipe » dit {speaker}",
        ),
    },
    "en": {
        Label.QUESTION: ("Question for {speaker}: is there support for foreign founders who just moved to Lyon?",),
        Label.PRAISE: ("Great talk by {speaker}, thanks {org}! {emoji}",),
        Label.OTHER: ("Live from the business meetings in Lyon {emoji}",),
    },
}

# What the speakers themselves post during the event.
EVENT_SPEAKER_LINES: tuple[str, ...] = (
    "Merci pour toutes vos questions, je réponds aux dernières après la session !",
    "Les slides de mon intervention sont en ligne sur mon profil {emoji}",
    "Merci à toutes et à tous pour les échanges aux Rencontres, et merci {org} !",
)
