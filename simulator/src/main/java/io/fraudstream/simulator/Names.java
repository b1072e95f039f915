package io.fraudstream.simulator;

import java.util.List;

/** Word lists for synthetic cardholders and merchants. Everything here is invented; none of it is a real person. */
final class Names {

    static final List<String> FEMALE = List.of(
            "Mary", "Jennifer", "Linda", "Patricia", "Susan", "Sarah", "Karen", "Nancy", "Lisa", "Diane",
            "Amanda", "Melissa", "Stephanie", "Rebecca", "Laura", "Emily", "Ashley", "Jessica", "Kimberly", "Angela",
            "Heather", "Rachel", "Megan", "Brenda", "Teresa", "Christina", "Julie", "Monica", "Erica", "Tina");

    static final List<String> MALE = List.of(
            "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Mark",
            "Charles", "Christopher", "Daniel", "Matthew", "Anthony", "Donald", "Steven", "Paul", "Andrew", "Joshua",
            "Kevin", "Brian", "George", "Edward", "Ronald", "Timothy", "Jason", "Jeffrey", "Ryan", "Gary");

    static final List<String> LAST = List.of(
            "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
            "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
            "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
            "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
            "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
            "Huff", "Buck", "Haney", "Gibson", "Stiedemann", "Padberg", "Morissette", "Huel", "Langworth", "Sauer",
            "Schaefer", "Abernathy", "Douglas", "Kub", "Mann", "Bode", "Dooley", "Kris", "Bergnaum", "Lowe",
            "Robel", "Mohr", "Purdy", "Nolan", "Hoeger", "Pouros", "Beahan", "Wintheiser", "Friesen", "Strosin");

    static final List<String> STREET_NAMES = List.of(
            "Ryan", "Haney", "Robinson", "Hoffman", "Maple", "Oak", "Cedar", "Pine", "Elm", "Lake",
            "Hill", "Washington", "Lincoln", "Park", "River", "Sunset", "Highland", "Forest", "Meadow", "Church");

    static final List<String> STREET_SUFFIXES = List.of(
            "Street", "Avenue", "Road", "Drive", "Lane", "Way", "Court", "Fort", "Green", "Prairie", "Port", "Place");

    static final List<String> JOBS = List.of(
            "Scientist, research (medical)", "Travel agency manager", "Clinical research associate",
            "Computer games developer", "Teacher, primary school", "Nurse, adult", "Accountant, chartered",
            "Civil engineer, contracting", "Software engineer", "Pharmacist, hospital", "Retail manager",
            "Electrician", "Lawyer", "Architect", "Journalist, newspaper", "Police officer", "Chef",
            "Graphic designer", "Librarian, public", "Physiotherapist", "Surveyor, land/geomatics",
            "Operations manager", "Social worker", "Dentist", "Farm manager", "Pilot, airline",
            "Sales executive", "Firefighter", "Veterinary surgeon", "Musician");

    private Names() {}

    /**
     * A unique merchant name for merchant number {@code index}, Sparkov style ("fraud_" prefix, as in the
     * public data, where it carries no signal). Unique because distinct indices give distinct surname pairs.
     */
    static String merchantName(int index) {
        int n = LAST.size();
        int a = index % n;
        int offset = (index / n) % (n - 1);
        int b = (a + 1 + offset) % n;
        int round = index / (n * (n - 1));
        String base = switch ((index / 7) % 3) {
            case 0 -> LAST.get(a) + "-" + LAST.get(b);
            case 1 -> LAST.get(a) + " and " + LAST.get(b);
            default -> LAST.get(a) + ", " + LAST.get(b) + " and Co";
        };
        return "fraud_" + base + (round == 0 ? "" : " " + (round + 1));
    }
}
