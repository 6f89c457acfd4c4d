package demo

var givenNames = []string{
	"Jürgen", "Anna", "Lukas", "Sophie", "Maximilian", "Marie", "Felix", "Lea", "Jonas", "Hannah",
	"Paul", "Emma", "Leon", "Mia", "Tobias", "Katharina", "Stefan", "Sabine", "Thomas", "Birgit",
	"Andreas", "Claudia", "Michael", "Petra", "Matthias", "Susanne", "Björn", "Jörg", "Günther", "Käthe",
	"Oliver", "Olivia", "James", "Emily", "Lucas", "Chloé", "Mateo", "Sofía", "Luca", "Giulia",
	"Piotr", "Zofia", "Mehmet", "Ayşe", "Yuki", "Wei", "Priya", "Arjun", "Lars", "Ingrid",
	"François", "Amélie", "Sven", "Agnieszka", "Dimitri", "Elena", "Noah", "Ella", "Finn", "Ida",
}

var familyNames = []string{
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
	"Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
	"Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann",
	"Köhler", "Groß", "Jäger", "Weiß", "Böhm", "Smith", "Johnson", "Brown", "Rossi", "Bianchi",
	"García", "Martínez", "Dubois", "Lefèvre", "Nowak", "Kowalski", "Yılmaz", "Kaya", "Tanaka", "Chen",
	"Patel", "Andersson", "Johansson", "Novák", "Horváth", "O'Brien", "van der Berg", "De Vries", "Ivanova", "Papadopoulos",
}

var companyStems = []string{
	"Alpen", "Nordlicht", "Rhein", "Isar", "Elbe", "Spree", "Main", "Donau", "Bodensee", "Harz",
	"Schwarzwald", "Ostsee", "Taunus", "Eifel", "Allgäu", "Brandt", "Lindner", "Vogel", "Keller", "Fuchs",
	"Sonnen", "Stern", "Adler", "Falken", "Eichen", "Birken", "Linden", "Tannen", "Berg", "Tal",
	"Atlas", "Helix", "Vertex", "Nova", "Orbit", "Quantum", "Pioneer", "Summit", "Bright", "Clear",
}

var companyKinds = []struct{ suffix, industry string }{
	{"Maschinenbau GmbH", "Maschinenbau"}, {"Logistik AG", "Logistik"}, {"Software GmbH", "Software"},
	{"Bau GmbH & Co. KG", "Bauwesen"}, {"Medizintechnik GmbH", "Medizintechnik"}, {"Elektro KG", "Elektrotechnik"},
	{"Handel GmbH", "Großhandel"}, {"Consulting", "Beratung"}, {"Systems Ltd", "IT services"},
	{"Foods GmbH", "Lebensmittel"}, {"Energie AG", "Energie"}, {"Druck & Medien", "Druck"},
	{"Automotive SE", "Automobilzulieferer"}, {"Solutions Inc.", "Software"}, {"Pharma GmbH", "Pharma"},
}

var cities = []struct {
	name, postal, region, country, area string
}{
	{"Berlin", "10115", "Berlin", "DE", "30"},
	{"Hamburg", "20095", "Hamburg", "DE", "40"},
	{"München", "80331", "Bayern", "DE", "89"},
	{"Köln", "50667", "Nordrhein-Westfalen", "DE", "221"},
	{"Frankfurt am Main", "60311", "Hessen", "DE", "69"},
	{"Stuttgart", "70173", "Baden-Württemberg", "DE", "711"},
	{"Düsseldorf", "40213", "Nordrhein-Westfalen", "DE", "211"},
	{"Leipzig", "04109", "Sachsen", "DE", "341"},
	{"Dortmund", "44135", "Nordrhein-Westfalen", "DE", "231"},
	{"Nürnberg", "90402", "Bayern", "DE", "911"},
	{"Bremen", "28195", "Bremen", "DE", "421"},
	{"Dresden", "01067", "Sachsen", "DE", "351"},
	{"Hannover", "30159", "Niedersachsen", "DE", "511"},
	{"Freiburg im Breisgau", "79098", "Baden-Württemberg", "DE", "761"},
	{"Würzburg", "97070", "Bayern", "DE", "931"},
	{"Münster", "48143", "Nordrhein-Westfalen", "DE", "251"},
	{"Wien", "1010", "Wien", "AT", "1"},
	{"Graz", "8010", "Steiermark", "AT", "316"},
	{"Zürich", "8001", "Zürich", "CH", "44"},
	{"Basel", "4051", "Basel-Stadt", "CH", "61"},
}

var countryCode = map[string]string{"DE": "49", "AT": "43", "CH": "41"}

var streets = []string{
	"Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Goethestraße", "Lindenallee",
	"Industriestraße", "Am Marktplatz", "Friedrichstraße", "Königsallee", "Mühlenweg", "Lessingstraße",
}

var titles = []string{
	"Geschäftsführer", "Geschäftsführerin", "Einkaufsleiter", "Einkäuferin", "Head of Procurement",
	"IT-Leiter", "CTO", "CFO", "Vertriebsleiterin", "Office Manager", "Projektleiter", "Teamleiterin Logistik",
	"Leiter Instandhaltung", "Buyer", "Operations Manager",
}

var tagPool = []string{"Messe 2026", "Newsletter", "VIP", "Bestandskunde", "Partner", "Webinar", "Empfehlung", "Kaltakquise"}

var sources = []string{"Messe", "Website", "Empfehlung", "Kaltakquise", "LinkedIn", "Webinar", "vCard-Import"}

var dealThemes = []string{
	"Wartungsvertrag", "Lizenzerweiterung", "Rahmenvertrag", "Pilotprojekt", "Ersatzteilpaket",
	"Schulungspaket", "Cloud-Migration", "Service-Upgrade", "Hardware-Refresh", "Support Premium",
}

var notes = []string{
	"Bevorzugt Anrufe vormittags.",
	"Entscheidet gemeinsam mit der Geschäftsführung.",
	"Hat auf der Messe Interesse an der Premium-Variante gezeigt.",
	"Budget wird im Q1 freigegeben.",
	"Prefers e-mail; speaks English and German.",
	"Wettbewerber im Haus, Vertrag läuft Ende des Jahres aus.",
	"",
	"",
}

var callSubjects = []string{
	"Erstgespräch", "Nachfassen Angebot", "Terminvereinbarung", "Bedarfsanalyse", "Rückruf", "Follow-up Messe",
}
