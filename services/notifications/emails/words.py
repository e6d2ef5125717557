"""The citizen's emails' words in Danish and English: categories, reasons, every sentence."""

from __future__ import annotations

from shared.vocabulary import Category, Language, ReasonCode, TalkTopic, TimeOfDay, TrafficProblem

CATEGORY_NAMES: dict[Language, dict[Category, str]] = {
    Language.DA: {
        Category.TRAFFIC_CONTROL: "færdselskontrol",
        Category.TALK: "foredrag",
        Category.EVENT_PRESENCE: "tilstedeværelse ved arrangement",
    },
    Language.EN: {
        Category.TRAFFIC_CONTROL: "traffic control",
        Category.TALK: "talk",
        Category.EVENT_PRESENCE: "police presence at an event",
    },
}

REASONS: dict[Language, dict[ReasonCode, str]] = {
    Language.DA: {
        ReasonCode.ACCEPTED: "Politikredsen har vurderet, at bestillingen kan imødekommes.",
        ReasonCode.NO_CAPACITY: (
            "Politikredsen har ikke ressourcer til opgaven inden for fristen, "
            "fordi andre opgaver må prioriteres højere."
        ),
        ReasonCode.ALREADY_PLANNED: (
            "Politiet har allerede planlagt en kontrol eller indsats på stedet."
        ),
        ReasonCode.NOT_A_POLICE_TASK: "Det, du beder om, er ikke en opgave for politiet.",
        ReasonCode.INSUFFICIENT_INFORMATION: (
            "Bestillingen indeholder ikke nok oplysninger til, at politiet kan "
            "vurdere eller udføre den."
        ),
        ReasonCode.DUPLICATE: (
            "Bestillingen er besvaret sammen med en anden bestilling om det samme."
        ),
        ReasonCode.OTHER: (
            "Politikredsen har afvist bestillingen af en anden grund, se beskeden nedenfor."
        ),
    },
    Language.EN: {
        ReasonCode.ACCEPTED: "The police district has found that the order can be accepted.",
        ReasonCode.NO_CAPACITY: (
            "The police district does not have the resources for this task within the deadline, "
            "because other tasks must come first."
        ),
        ReasonCode.ALREADY_PLANNED: (
            "The police have already planned a control or other action at this location."
        ),
        ReasonCode.NOT_A_POLICE_TASK: "What you ask for is not a task for the police.",
        ReasonCode.INSUFFICIENT_INFORMATION: (
            "The order does not contain enough information for the police to "
            "assess or carry it out."
        ),
        ReasonCode.DUPLICATE: (
            "The order has been answered together with another order about the same matter."
        ),
        ReasonCode.OTHER: (
            "The police district declined the order for another reason; see the message below."
        ),
    },
}

# The receipt's summary of what the citizen sent, in the words the order form used
# (services/intake/templates/strings/): the citizen recognises their own answers.
FIELD_LABELS: dict[Language, dict[str, str]] = {
    Language.DA: {
        "road": "Vej eller strækning",
        "problem": "Problem",
        "speed_limit_kmh": "Hastighedsgrænse",
        "time_of_day": "Tidspunkt på døgnet",
        "topic": "Emne",
        "audience": "Tilhørere",
        "talk_attendees": "Forventet antal tilhørere",
        "preferred_dates": "Ønskede datoer",
        "event_name": "Arrangementets navn",
        "event_start": "Starter",
        "event_end": "Slutter",
        "event_attendees": "Forventet antal deltagere",
        "venue": "Sted",
        "address": "Adresse",
        "municipality": "Kommune",
        "description": "Beskrivelse",
        "name": "Navn",
        "email": "E-mail",
        "phone": "Telefonnummer",
        "organisation": "Forening, skole eller virksomhed",
        "organiser": "Arrangør",
        "km_h": "{n} km/t",
        "people": "{n} personer",
    },
    Language.EN: {
        "road": "Road or stretch",
        "problem": "Problem",
        "speed_limit_kmh": "Speed limit",
        "time_of_day": "Time of day",
        "topic": "Topic",
        "audience": "Audience",
        "talk_attendees": "Expected listeners",
        "preferred_dates": "Preferred dates",
        "event_name": "Name of the event",
        "event_start": "Starts",
        "event_end": "Ends",
        "event_attendees": "Expected participants",
        "venue": "Venue",
        "address": "Address",
        "municipality": "Municipality",
        "description": "Description",
        "name": "Name",
        "email": "Email",
        "phone": "Phone number",
        "organisation": "Association, school or company",
        "organiser": "Organiser",
        "km_h": "{n} km/h",
        "people": "{n} people",
    },
}

PROBLEMS: dict[Language, dict[TrafficProblem, str]] = {
    Language.DA: {
        TrafficProblem.SPEEDING: "Bilister kører for stærkt",
        TrafficProblem.MOPEDS: "Knallerter kører for stærkt eller farligt",
        TrafficProblem.HEAVY_VEHICLES: "Lastbiler og andre store køretøjer",
        TrafficProblem.OTHER: "Andet",
    },
    Language.EN: {
        TrafficProblem.SPEEDING: "Cars drive too fast",
        TrafficProblem.MOPEDS: "Mopeds drive too fast or dangerously",
        TrafficProblem.HEAVY_VEHICLES: "Lorries and other large vehicles",
        TrafficProblem.OTHER: "Other",
    },
}

TIMES_OF_DAY: dict[Language, dict[TimeOfDay, str]] = {
    Language.DA: {
        TimeOfDay.MORNING: "Morgen",
        TimeOfDay.DAYTIME: "Dag",
        TimeOfDay.EVENING: "Aften",
        TimeOfDay.NIGHT: "Nat",
    },
    Language.EN: {
        TimeOfDay.MORNING: "Morning",
        TimeOfDay.DAYTIME: "Daytime",
        TimeOfDay.EVENING: "Evening",
        TimeOfDay.NIGHT: "Night",
    },
}

TOPICS: dict[Language, dict[TalkTopic, str]] = {
    Language.DA: {
        TalkTopic.BURGLARY_PREVENTION: "Forebyggelse af indbrud",
        TalkTopic.CYBER_CRIME: "It-kriminalitet og svindel på nettet",
        TalkTopic.TRICK_THEFT: "Tricktyveri",
        TalkTopic.LOCAL_CRIME: "Kriminaliteten i lokalområdet",
        TalkTopic.TRAFFIC_SAFETY: "Trafiksikkerhed",
        TalkTopic.OTHER: "Andet",
    },
    Language.EN: {
        TalkTopic.BURGLARY_PREVENTION: "Preventing burglary",
        TalkTopic.CYBER_CRIME: "IT crime and online fraud",
        TalkTopic.TRICK_THEFT: "Trick theft",
        TalkTopic.LOCAL_CRIME: "Crime in the local area",
        TalkTopic.TRAFFIC_SAFETY: "Traffic safety",
        TalkTopic.OTHER: "Other",
    },
}

# Every sentence of every email, per language; `{placeholders}` are filled by emails.content.
WORDS: dict[Language, dict[str, str]] = {
    Language.DA: {
        "greeting": "Kære {name}",
        "sign_off": "Med venlig hilsen",
        "police": "Politiet",
        "reference": "Reference",
        "category": "Kategori",
        "district": "Politikreds",
        "status": "Se status for din bestilling",
        "footer_auto": (
            "Dette er en automatisk e-mail fra Bestil en betjent. Du kan ikke svare på den."
        ),
        "footer_phone": "Ring 112, hvis det haster. Ring 114 ved andre henvendelser til politiet.",
        # receipt
        "receipt_subject": "Vi har modtaget din bestilling {reference}",
        "receipt_lead": "Vi har modtaget din bestilling {reference}.",
        "receipt_body": (
            "Bestillingen sendes til den politikreds, der dækker stedet. En betjent vurderer den "
            "ud fra en faglig vurdering og kredsens samlede prioritering af ressourcer."
        ),
        "receipt_thanks": (
            "Tak for din bestilling. Her er din kvittering: hvad der sker nu, og hvad du har sendt."
        ),
        "reference_number": "Dit referencenummer",
        "received": "Modtaget",
        "next_heading": "Hvad sker der nu?",
        "receipt_decision": (
            "Du får senest {date} svar på, om bestillingen er imødekommet eller afvist "
            "– og hvorfor, hvis den afvises."
        ),
        "receipt_execution": "Siger politiet ja, bliver bestillingen udført senest {date}.",
        "receipt_execution_event": (
            "Siger politiet ja, kommer politiet til arrangementet, der begynder {date}."
        ),
        "receipt_each_step": (
            "Du får en e-mail ved hvert trin: når politikredsen har fået bestillingen, "
            "når den er besvaret, og når den er planlagt og udført."
        ),
        "receipt_follow": (
            "På statussiden kan du følge bestillingen, svare på spørgsmål fra politiet "
            "og trække bestillingen tilbage:"
        ),
        "sent_heading": "Det har du sendt",
        "sent_intro": "Det er de oplysninger, du har sendt.",
        "contact_heading": "Dine kontaktoplysninger",
        "contact_intro": "Dem ser kun politiet.",
        "keep_heading": "Gem denne e-mail",
        "keep_body": (
            "Referencenummeret {reference} og linket til statussiden er vejen tilbage til din "
            "bestilling. Oplys nummeret, hvis du kontakter politiet om bestillingen."
        ),
        "urgent": (
            "Arrangementet begynder snart, så bestillingen behandles som hastende "
            "og besvares, før arrangementet begynder."
        ),
        "decision_due": "Svar senest",
        "execution_due": "Udføres senest",
        "event_start": "Arrangementet begynder",
        # routed
        "routed_subject": "Din bestilling {reference} er sendt til {district}",
        "routed_lead": "Din bestilling {reference} behandles nu af {district}.",
        "routed_body": (
            "En betjent i politikredsen vurderer bestillingen. "
            "Du får besked, når der er truffet en afgørelse."
        ),
        # accepted / declined
        "accepted_subject": "Din bestilling {reference} er imødekommet",
        "accepted_lead": "Din bestilling {reference} er imødekommet af {district}.",
        "accepted_body": "Du hører fra os igen, når opgaven er planlagt eller udført.",
        "declined_subject": "Din bestilling {reference} er desværre afvist",
        "declined_lead": "Din bestilling {reference} er desværre afvist af {district}.",
        "declined_body": (
            "Du er velkommen til at sende en ny bestilling, hvis forholdene ændrer sig."
        ),
        "reason": "Begrundelse",
        "district_message": "Besked fra politikredsen",
        # scheduled
        "scheduled_subject": "Din bestilling {reference} er planlagt til {date}",
        "scheduled_lead": "Din bestilling {reference} er planlagt til {when}.",
        "scheduled_body": (
            "Tidspunktet er vedhæftet som en kalenderfil. Planen kan ændre sig, "
            "hvis politiet skal løse mere akutte opgaver."
        ),
        "when": "Tidspunkt",
        "note": "Bemærkning fra politikredsen",
        "calendar_summary": "{category} – {district} ({reference})",
        # completed
        "completed_subject": "Din bestilling {reference} er udført",
        "completed_lead": "Din bestilling {reference} blev udført den {date} af {district}.",
        "completed_body": (
            "Fortæl os gerne, om du så politiet, og om det hjalp. "
            "Det tager et minut via linket nedenfor."
        ),
        "summary": "Det gjorde politiet",
        # info requested
        "info_requested_subject": "Politiet har et spørgsmål til din bestilling {reference}",
        "info_requested_lead": (
            "{district} har brug for flere oplysninger for at behandle din bestilling {reference}."
        ),
        "info_requested_body": "Svar via linket til din bestilling nedenfor, ikke på denne e-mail.",
        "question": "Spørgsmål fra politikredsen",
        # cancelled
        "cancelled_subject": "Din bestilling {reference} er trukket tilbage",
        "cancelled_lead": "Din bestilling {reference} blev trukket tilbage den {when}.",
        "cancelled_body": (
            "Politiet behandler ikke bestillingen yderligere. "
            "Du er velkommen til at sende en ny bestilling."
        ),
        # deadline breached
        "decision_breached_subject": "Svarfristen for din bestilling {reference} er overskredet",
        "decision_breached_lead": (
            "Du skulle have haft svar på din bestilling {reference} senest den {when}, "
            "men politiet har endnu ikke truffet en afgørelse."
        ),
        "execution_breached_subject": (
            "Fristen for udførelse af din bestilling {reference} er overskredet"
        ),
        "execution_breached_lead": (
            "Din bestilling {reference} skulle have været udført senest den {when}, "
            "men den er endnu ikke meldt udført."
        ),
        "breached_body": (
            "Det beklager vi. Politikredsen er gjort opmærksom på det, "
            "og du hører fra os, så snart der er nyt."
        ),
        "due_at": "Frist",
    },
    Language.EN: {
        "greeting": "Dear {name},",
        "sign_off": "Kind regards,",
        "police": "The Danish Police",
        "reference": "Reference",
        "category": "Category",
        "district": "Police district",
        "status": "See the status of your order",
        "footer_auto": (
            "This is an automatic email from Bestil en betjent. Replies to it are not read."
        ),
        "footer_phone": "In an emergency, call 112. For other police matters, call 114.",
        # receipt
        "receipt_subject": "We have received your order {reference}",
        "receipt_lead": "We have received your order {reference}.",
        "receipt_body": (
            "The order goes to the police district that covers the location. An officer assesses "
            "it on professional judgement and the district's overall priorities."
        ),
        "receipt_thanks": (
            "Thank you for your order. This is your receipt: what happens now, and what you sent."
        ),
        "reference_number": "Your reference number",
        "received": "Received",
        "next_heading": "What happens now?",
        "receipt_decision": (
            "By {date} you will hear whether the order is accepted or declined "
            "– and why, if it is declined."
        ),
        "receipt_execution": "If the police say yes, the order is carried out by {date}.",
        "receipt_execution_event": (
            "If the police say yes, they come to the event, which starts {date}."
        ),
        "receipt_each_step": (
            "You get an email at each step: when the police district has the order, "
            "when it is answered, and when it is scheduled and carried out."
        ),
        "receipt_follow": (
            "On the status page you can follow the order, answer questions from the police "
            "and withdraw the order:"
        ),
        "sent_heading": "What you sent",
        "sent_intro": "This is the information you sent.",
        "contact_heading": "Your contact details",
        "contact_intro": "Only the police see them.",
        "keep_heading": "Keep this email",
        "keep_body": (
            "The reference number {reference} and the link to the status page are your way "
            "back to the order. Give the number if you contact the police about it."
        ),
        "urgent": (
            "The event starts soon, so the order is handled as urgent "
            "and answered before the event starts."
        ),
        "decision_due": "Answer by",
        "execution_due": "Carried out by",
        "event_start": "The event starts",
        # routed
        "routed_subject": "Your order {reference} has been sent to {district}",
        "routed_lead": "Your order {reference} is now being handled by {district}.",
        "routed_body": (
            "An officer in the police district will assess the order. "
            "You will hear from us once a decision has been made."
        ),
        # accepted / declined
        "accepted_subject": "Your order {reference} has been accepted",
        "accepted_lead": "Your order {reference} has been accepted by {district}.",
        "accepted_body": "You will hear from us again when the task is scheduled or carried out.",
        "declined_subject": "Your order {reference} has unfortunately been declined",
        "declined_lead": "Your order {reference} has unfortunately been declined by {district}.",
        "declined_body": "You are welcome to submit a new order if circumstances change.",
        "reason": "Reason",
        "district_message": "Message from the police district",
        # scheduled
        "scheduled_subject": "Your order {reference} is scheduled for {date}",
        "scheduled_lead": "Your order {reference} is scheduled for {when}.",
        "scheduled_body": (
            "The time is attached as a calendar file. Plans may change "
            "if the police have to handle more urgent tasks."
        ),
        "when": "Time",
        "note": "Note from the police district",
        "calendar_summary": "{category} – {district} ({reference})",
        # completed
        "completed_subject": "Your order {reference} has been carried out",
        "completed_lead": "Your order {reference} was carried out on {date} by {district}.",
        "completed_body": (
            "Please tell us whether you saw the police and whether it helped. "
            "It takes a minute, via the link below."
        ),
        "summary": "What the police did",
        # info requested
        "info_requested_subject": "The police have a question about your order {reference}",
        "info_requested_lead": (
            "{district} needs more information to handle your order {reference}."
        ),
        "info_requested_body": (
            "Please answer via the link to your order below, not by replying to this email."
        ),
        "question": "Question from the police district",
        # cancelled
        "cancelled_subject": "Your order {reference} has been withdrawn",
        "cancelled_lead": "Your order {reference} was withdrawn on {when}.",
        "cancelled_body": (
            "The police will take no further action on it. You are welcome to submit a new order."
        ),
        # deadline breached
        "decision_breached_subject": "The deadline for answering your order {reference} has passed",
        "decision_breached_lead": (
            "You should have had an answer to your order {reference} by {when}, "
            "but the police have not yet made a decision."
        ),
        "execution_breached_subject": (
            "The deadline for carrying out your order {reference} has passed"
        ),
        "execution_breached_lead": (
            "Your order {reference} should have been carried out by {when}, "
            "but it has not yet been reported as done."
        ),
        "breached_body": (
            "We apologise. The police district has been notified, "
            "and you will hear from us as soon as there is news."
        ),
        "due_at": "Deadline",
    },
}
