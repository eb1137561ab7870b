Feature: Signing in with GitHub or Google
  Viewers sign in with an account they already have elsewhere, link more of them from their
  settings, and an email address joins two accounts only when both sides have proven it.

  Scenario: Ana signs in with GitHub for the first time
    Given GitHub knows Ana by her verified address "ana@example.com"
    When Ana signs in with GitHub from the app
    Then the app signs her in with the one-time code it was sent
    And she has a new account for "ana@example.com", its address already verified
    And her settings show GitHub as a way to sign in

  Scenario: Ana links Google from her settings
    Given Ana has an account with a password and is signed in
    And Google knows Ana by the address "ana.maria@gmail.com"
    When Ana links Google from her settings
    And her app confirms the link with the code Google's answer brought back
    Then her settings show Google as a way to sign in
    And her security log shows that Google was linked
    And signing in with Google later opens the same account

  Scenario: A link someone else started does not join Ana's Google to their account
    Given Mallory has an account with a password and is signed in
    And Ana has an account with a password and is signed in
    And Google knows Ana by the address "ana.maria@gmail.com"
    When Mallory starts linking Google and Ana approves it at Google
    And Ana's app, signed in as Ana, tries to confirm the link with the code it was sent
    Then the link is refused
    And nobody's account has her Google identity

  Scenario: An address nobody proved does not hand over an account
    Given someone registered "ana@example.com" with a password of their own and never confirmed it
    And Google knows Ana by her verified address "ana@example.com"
    When Ana signs in with Google
    Then she is asked to sign in to that account and link Google from its settings
    And nobody's account has her Google identity

  Scenario: The only way into an account cannot be removed
    Given Ana signed up with GitHub and has no password
    When Ana removes GitHub from her settings
    Then she is told it is her last way to sign in
    And her settings still show GitHub
