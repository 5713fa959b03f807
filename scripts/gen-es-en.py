#!/usr/bin/env python3
"""Generates a line-parallel Spanish–English text of claims for the Apertium acceptance check
(docs/src/alignment.md: "Acceptance"): N sentences (default 800) from varied subjects, actions, objects,
places and times, so that pairs differ in their content words and not only in numbers.

    scripts/gen-es-en.py OUT_PREFIX [N] [SEED]   # writes OUT_PREFIX.es and OUT_PREFIX.en
"""
import random
import sys

SUBJECTS = [
    ("El gobierno", "The government"), ("El ministerio de salud", "The health ministry"),
    ("La alcaldía", "The city council"), ("El banco central", "The central bank"),
    ("La universidad", "The university"), ("El sindicato de maestros", "The teachers' union"),
    ("La empresa eléctrica", "The electricity company"), ("El tribunal supremo", "The supreme court"),
    ("La policía regional", "The regional police"), ("El parlamento", "The parliament"),
    ("La asociación de agricultores", "The farmers' association"), ("El hospital general", "The general hospital"),
    ("La agencia espacial", "The space agency"), ("El ejército", "The army"),
    ("La oposición", "The opposition"), ("El presidente", "The president"),
    ("La comisión europea", "The European commission"), ("El puerto", "The port"),
    ("La compañía aérea", "The airline"), ("El museo nacional", "The national museum"),
]
ACTIONS = [
    ("anunció un plan para reducir", "announced a plan to reduce"),
    ("criticó la decisión de aumentar", "criticised the decision to increase"),
    ("aprobó una ley que limita", "approved a law that limits"),
    ("rechazó la propuesta de cerrar", "rejected the proposal to close"),
    ("defendió la necesidad de proteger", "defended the need to protect"),
    ("prometió invertir en", "promised to invest in"),
    ("denunció el abandono de", "denounced the neglect of"),
    ("pidió más dinero para", "asked for more money for"),
    ("investiga el coste de", "is investigating the cost of"),
    ("celebró la apertura de", "celebrated the opening of"),
]
OBJECTS = [
    ("los precios del pan", "the price of bread"), ("las escuelas rurales", "the rural schools"),
    ("el transporte público", "public transport"), ("los bosques del norte", "the northern forests"),
    ("la deuda externa", "the foreign debt"), ("las pensiones", "the pensions"),
    ("el agua potable", "drinking water"), ("los impuestos sobre la gasolina", "the taxes on petrol"),
    ("la pesca en la costa", "fishing on the coast"), ("los hospitales pequeños", "the small hospitals"),
    ("las fábricas de coches", "the car factories"), ("la energía solar", "solar energy"),
    ("los alquileres", "the rents"), ("las bibliotecas", "the libraries"),
    ("el turismo", "tourism"), ("las carreteras de montaña", "the mountain roads"),
]
PLACES = [
    ("en Madrid", "in Madrid"), ("en Sevilla", "in Seville"), ("en la capital", "in the capital"),
    ("en el sur del país", "in the south of the country"), ("en las islas", "on the islands"),
    ("en Valencia", "in Valencia"), ("en la frontera", "on the border"), ("en Bilbao", "in Bilbao"),
    ("en los pueblos", "in the villages"), ("en Barcelona", "in Barcelona"),
]
TIMES = [
    ("el lunes", "on Monday"), ("el martes", "on Tuesday"), ("ayer", "yesterday"),
    ("esta semana", "this week"), ("el año pasado", "last year"), ("hoy", "today"),
    ("el viernes", "on Friday"), ("este mes", "this month"),
]


def main():
    if len(sys.argv) not in (2, 3, 4):
        sys.exit(__doc__)
    prefix = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 800
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    seen = set()
    spanish, english = [], []
    while len(spanish) < n:
        parts = [rng.choice(x) for x in (SUBJECTS, ACTIONS, OBJECTS, PLACES, TIMES)]
        key = tuple(p[0] for p in parts)
        if key in seen:
            continue
        seen.add(key)
        (s_es, s_en), (a_es, a_en), (o_es, o_en), (p_es, p_en), (t_es, t_en) = parts
        if rng.random() < 0.5:
            spanish.append(f"{s_es} {a_es} {o_es} {p_es} {t_es}.")
            english.append(f"{s_en} {a_en} {o_en} {p_en} {t_en}.")
        else:
            spanish.append(f"{t_es.capitalize()}, {s_es[0].lower() + s_es[1:]} {a_es} {o_es} {p_es}.")
            english.append(f"{t_en[0].upper() + t_en[1:]}, {s_en[0].lower() + s_en[1:]} {a_en} {o_en} {p_en}.")
    spanish = [s.replace(" de el ", " del ") for s in spanish]
    with open(f"{prefix}.es", "w", encoding="utf-8") as f:
        f.write("\n".join(spanish) + "\n")
    with open(f"{prefix}.en", "w", encoding="utf-8") as f:
        f.write("\n".join(english) + "\n")


if __name__ == "__main__":
    main()
