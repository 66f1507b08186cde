"""Common given names, lower case, for finding a name that a user typed without capitals.

The redactor uses this list only after a weak cue ("I'm john smith", "this is priya"), where a
capitalized word is already taken as a name. Without the list, "I'm so sorry" would look like a
name too. Names that are also everyday English words ("may", "will", "frank", "grace") are left
out, because "I'm frank with you" is far more common in a DM than the name.

The list was written by hand for this purpose from names common in English, Spanish,
Portuguese, French, Italian, German, Dutch, Polish, Russian, Turkish, Arabic, Hebrew, Persian,
South Asian, East Asian and African usage. It is short on purpose, so a lowercase name missing
from it stays unredacted unless a participant name or a strong cue ("my name is") covers it.
"""

from __future__ import annotations

__all__ = ["FIRST_NAMES"]

FIRST_NAMES: frozenset[str] = frozenset(
    """
    aaron abby abdul abdullah abigail adam adrian adriana agnieszka ahmed ahmet aidan aisha
    akira alan albert alberto alejandro aleksandra alex alexa alexander alexandra alexis ali
    alice alicia alina alison amanda amara amelia amir amit amy ana anastasia andrea andreas
    andrei andrew andy angela angelo anika anita ann anna anne annie anthony antonio anya arjun
    arthur ashley aurora ava ayesha barbara beatriz ben benjamin bianca bob brandon brian
    bruno caitlin camila camille carla carlos carmen caroline carolyn catherine cesar charles
    charlie charlotte chen chiara chloe chris christian christina christine christopher claire
    clara claudia connor cristina dan daniel daniela danielle dario david deborah deepak denise
    diana diego dimitri dmitri dmitry dominic donald dorothy dylan edward elena eli elif
    elijah elizabeth ella ellie emily emma emre eric erik esther ethan eva fatima federico
    felipe felix fernanda fernando fiona francesca francesco francisco gabriel gabriela
    gabriele george georgia giorgio giovanni giulia greta hamza hana hannah hans harry hassan
    heather helen helena henry hiroshi hugo ibrahim igor ines ingrid irina isaac isabel
    isabella ivan jacob jack jake james jamie jana jane janet jasmine jason javier jennifer
    jessica joanna joao joe john jonathan jordan jorge jose joseph joshua juan julia julian
    julie justin kai kamal karen karim karina kate katherine kathleen katie katya kavya
    kenji kevin khalid kim klaus kyle lara laura lauren layla leila lena leo leon leonardo
    liam lina linda lisa liu lorenzo louis lucas lucia luis luisa luka lukas mahmoud maja
    marco marcus margaret maria mariam marie marina mario marta martin mary mateo matteo
    matthew maya mehmet mei melissa mia michael michelle miguel mikhail mila mohamed mohammad
    mohammed muhammad nadia naomi natalia natalie natasha nathan nicholas nicola nicole nikhil
    nikita nina noah noor nora olga oliver olivia omar oscar pablo paolo patricia patrick paul
    paula pedro peter pierre pooja priya rachel rafael rahul raj rajesh ramon rebecca ricardo
    richard riya robert roberto rohan rosa ryan sahil sam samantha samir samuel sandra sanjay sara
    sarah sasha sebastian sergei sergey shreya simon simone sofia sophia sophie stefan stefano
    stephanie stephen steven susan svetlana tamara tanvi tariq thomas tim timothy tobias tom
    tomas tyler valentina vanessa vera victor victoria vikram vincent wei william xavier
    yasmin yusuf yuki yusra zainab zeynep zoe zoë
    """.split()
)
"""Given names, case-folded."""
