package io.wharf.zookeeper;

import java.util.ArrayList;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.common.X509Exception;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.ServerCnxn;
import org.apache.zookeeper.server.auth.X509AuthenticationProvider;

/**
 * ZooKeeper's x509 provider with role-wide ACL entries (Wharf, packages/zk).
 *
 * The stock provider names a TLS client by its certificate subject (RFC 2253, most specific RDN
 * first: CN=host-1,OU=proxy,O=Wharf) and matches an ACL id only by string equality, so an ACL can
 * name one host but never "every proxy". Here an ACL id also matches every client whose subject
 * ends with all of its RDNs: "OU=proxy,O=Wharf" is every proxy, "O=Wharf" every certificate of
 * the installation. Names are parsed (LdapName), not compared as text, so an escaped comma inside
 * a value cannot forge a boundary. Exact ids behave as in the stock provider; so does the super
 * user (zookeeper.X509AuthenticationProvider.superUser), which may also be such a role-wide id:
 * "OU=director,O=Wharf" makes every director of an ensemble a super user, not only one.
 */
public class WharfX509AuthenticationProvider extends X509AuthenticationProvider {

    /** The stock provider's property (its constant is package-private). */
    private static final String SUPER_USER_PROPERTY = "zookeeper.X509AuthenticationProvider.superUser";

    public WharfX509AuthenticationProvider() throws X509Exception {
        super();
    }

    @Override
    public KeeperException.Code handleAuthentication(ServerCnxn cnxn, byte[] authData) {
        KeeperException.Code code = super.handleAuthentication(cnxn, authData);
        String superUser = System.getProperty(SUPER_USER_PROPERTY);
        if (code != KeeperException.Code.OK || superUser == null || superUser.isEmpty()) {
            return code;
        }
        // The stock provider has added the client's x509 id (and "super" for an exact match).
        for (Id id : new ArrayList<>(cnxn.getAuthInfo())) {
            if (getScheme().equals(id.getScheme()) && !id.getId().equals(superUser)
                    && matchesSuffix(id.getId(), superUser)) {
                cnxn.addAuthInfo(new Id("super", id.getId()));
            }
        }
        return code;
    }

    @Override
    public boolean matches(String id, String aclExpr) {
        return super.matches(id, aclExpr) || matchesSuffix(id, aclExpr);
    }

    private static boolean matchesSuffix(String id, String aclExpr) {
        try {
            LdapName client = new LdapName(id);
            List<Rdn> acl = new LdapName(aclExpr).getRdns();
            // LdapName indexes RDNs from the least specific (O=Wharf) up: a prefix there is a suffix
            // of the printed name. An empty ACL name would match everyone: refuse it.
            return !acl.isEmpty() && acl.size() <= client.size() && client.startsWith(acl);
        } catch (InvalidNameException e) {
            return false;
        }
    }
}
